"""The main navigation, by role: each kind of user sees the places they work in."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str


def navigation_for(user) -> list[NavItem]:
    directory = NavItem(_("Direktori penyedia"), reverse("vendors:directory"))
    packages = NavItem(_("Paket diumumkan"), reverse("procurement:public-packages"))
    matching = NavItem(_("Temu bisnis"), reverse("matching:events"))
    if not user.is_authenticated:
        return [
            NavItem(_("Tentang program"), reverse("landing")),
            packages,
            directory,
            NavItem(_("Data terbuka"), reverse("opendata:index")),
            NavItem(_("Daftar sebagai penyedia"), reverse("accounts:signup")),
        ]
    if user.role == Role.VENDOR:
        return [
            NavItem(_("Beranda usaha"), reverse("vendors:home")),
            NavItem(_("Produk"), reverse("vendors:products")),
            NavItem(_("Sertifikat"), reverse("vendors:certificates")),
            NavItem(_("Penawaran saya"), reverse("procurement:my-bids")),
            packages,
            matching,
        ]
    if user.role == Role.OFFICER:
        return [
            NavItem(_("Beranda OPD"), reverse("procurement:home")),
            NavItem(_("Paket OPD"), reverse("procurement:officer-packages")),
            NavItem(_("Dasbor program"), reverse("dashboards:home")),
            matching,
            directory,
        ]
    if user.role == Role.ADMIN:
        return [
            NavItem(_("Dasbor program"), reverse("dashboards:home")),
            NavItem(_("Admin"), reverse("admin:index")),
            matching,
            packages,
            directory,
        ]
    return [NavItem(_("Pendaftaran usaha"), reverse("vendors:register")), packages, directory]
