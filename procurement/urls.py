from django.urls import path

from procurement import views

app_name = "procurement"

urlpatterns = [
    path("", views.home, name="home"),
    path("paket/<int:package_id>/", views.package_detail, name="package-detail"),
]
