from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Akun dan peran")


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django admin, on a site that admits only admins signed in with their code."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "accounts.admin_site.PortalAdminSite"
