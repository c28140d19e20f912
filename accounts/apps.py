from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_otp.plugins.otp_totp import apps as totp_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Akun dan peran")


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django admin, on a site that admits only admins signed in with their code."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "accounts.admin_site.PortalAdminSite"


class AxesConfig(axes_apps.AppConfig):
    """django-axes (the sign-in lockout) under a name an admin reads, in either language."""

    verbose_name = _("Pembatasan percobaan masuk")


class TOTPConfig(totp_apps.DefaultConfig):
    """django-otp's TOTP devices (the admins' second sign-in step) under names an admin reads.

    The app is named here, in INSTALLED_APPS; the device model's names are plain English
    strings in django-otp, so they are set, translatable, when the app is ready. Only the
    names shown change: migrations read a model's declared Meta (`original_attrs`), which
    stays django-otp's, so `makemigrations --check` is unaffected."""

    verbose_name = _("Verifikasi dua langkah")

    def ready(self) -> None:
        super().ready()
        meta = self.get_model("TOTPDevice")._meta
        meta.verbose_name = _("perangkat TOTP")
        meta.verbose_name_plural = pgettext_lazy("jamak", "perangkat TOTP")
