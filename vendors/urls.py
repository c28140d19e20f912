from django.urls import path

from vendors import views

app_name = "vendors"

urlpatterns = [
    path("", views.home, name="home"),
    path("daftar-usaha/", views.register, name="register"),
    path("data-usaha/", views.profile_edit, name="profile-edit"),
    path("pengguna/", views.members, name="members"),
    path("pengguna/<int:member_id>/hapus/", views.member_remove, name="member-remove"),
    path("undangan/<int:invitation_id>/batal/", views.invitation_cancel, name="invitation-cancel"),
    path("undangan/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("produk/", views.products, name="products"),
    path("produk/baru/", views.product_edit, name="product-add"),
    path("produk/<int:product_id>/", views.product_edit, name="product-edit"),
    path(
        "produk/<int:product_id>/foto/<int:photo_id>/hapus/",
        views.product_photo_delete,
        name="product-photo-delete",
    ),
    path("foto/<int:photo_id>/", views.product_photo, name="product-photo"),
    path("sertifikat/", views.certificates, name="certificates"),
    path("sertifikat/<str:kind>/baru/", views.certificate_edit, name="certificate-add"),
    path(
        "sertifikat/<str:kind>/<int:certificate_id>/",
        views.certificate_edit,
        name="certificate-edit",
    ),
    path(
        "sertifikat/<str:kind>/<int:certificate_id>/berkas/",
        views.certificate_file,
        name="certificate-file",
    ),
    path("direktori/", views.directory_index, name="directory"),
    path("direktori/<int:vendor_id>/", views.directory_vendor, name="directory-vendor"),
]
