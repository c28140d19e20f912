from django.urls import path

from opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("ocds.json", views.download, name="download"),
    path("ocds-<int:year>.json", views.download, name="download-year"),
    path("paket/<int:package_id>.json", views.package_json, name="package-json"),
    path("ekstensi/<str:name>", views.extension, name="extension"),
]
