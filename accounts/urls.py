from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("masuk/kode/", views.otp_verify, name="otp-verify"),
    path("masuk/autentikator/", views.otp_setup, name="otp-setup"),
    path("daftar/", views.signup, name="signup"),
    path("verifikasi/<str:token>/", views.email_verify, name="email-verify"),
    path("verifikasi-ulang/", views.email_verification_resend, name="email-verification-resend"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("profil/", views.profile, name="profile"),
    path("pemberitahuan/", views.notifications, name="notifications"),
    path("bahasa/", views.language_set, name="language-set"),
    path("kata-sandi/ganti/", views.PasswordChangeView.as_view(), name="password-change"),
    path("kata-sandi/lupa/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "kata-sandi/lupa/terkirim/",
        views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "kata-sandi/atur/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "kata-sandi/atur/selesai/",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
]
