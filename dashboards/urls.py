from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("angka.csv", views.dashboard, {"fmt": "csv"}, name="csv"),
    path("angka.xlsx", views.dashboard, {"fmt": "xlsx"}, name="xlsx"),
]
