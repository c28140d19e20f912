from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from p3dn_portal import views

admin.site.site_header = _("P3DN Portal — Admin Dinas PPKUKM")
admin.site.site_title = _("Admin P3DN Portal")
admin.site.index_title = _("Pengelolaan program P3DN")

urlpatterns = [
    path("", views.landing, name="landing"),
    path("beranda/", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("akun/", include("accounts.urls")),
    path("penyedia/", include("vendors.urls")),
    path("pengadaan/", include("procurement.urls")),
    path("kontrak/", include("contracts.urls")),
    path("temu-bisnis/", include("matching.urls")),
    path("dasbor/", include("dashboards.urls")),
    path("open-data/", include("opendata.urls")),
    path("admin/", admin.site.urls),
]
