from django.contrib import admin
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_otp.admin import OTPAdminSite

from p3dn_portal.lib.admin_lookups import DeclaredLookupsOnly
from p3dn_portal.lib.paging import CountUpTo, SearchCountUpTo


class CountsBounded:
    """A changelist counts its rows up to CountUpTo.limit, and never the whole table beside
    (show_full_result_count): at a million rows each count costs more than the page."""

    paginator = CountUpTo
    show_full_result_count = False

    def get_paginator(
        self, request: HttpRequest, queryset, per_page, orphans=0, allow_empty_first_page=True
    ):
        """A search counts its matches up to SearchCountUpTo.limit (issue 19)."""
        searched = bool(request.GET.get(SEARCH_VAR, "").strip())
        paginator = SearchCountUpTo if searched and self.paginator is CountUpTo else self.paginator
        return paginator(queryset, per_page, orphans, allow_empty_first_page)


class PortalAdminSite(OTPAdminSite):
    """The Django admin of Dinas PPKUKM: open to staff whose session passed the code step
    (django-otp), and signed in to through the portal's own login, the one sign-in for
    everyone (its lockout and its code step apply to the admin too)."""

    name = "admin"
    # The app list beside every page took a fifth of a 1366 px screen, and the lists lost
    # their right-hand columns to it: the admin's home lists the apps, the breadcrumbs lead
    # back to it, and each list has the whole width.
    enable_nav_sidebar = False

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        """Every ModelAdmin, the portal's and third-party apps' alike, takes only its own
        declared list filters from a URL (lib.admin_lookups) and counts its rows bounded."""
        admin_class = admin_class or admin.ModelAdmin
        mixins = tuple(
            mixin
            for mixin in (DeclaredLookupsOnly, CountsBounded)
            if not issubclass(admin_class, mixin)
        )
        if mixins:
            names = {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__}
            admin_class = type(admin_class.__name__, (*mixins, admin_class), names)
        super().register(model_or_iterable, admin_class, **options)

    @login_not_required
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return redirect_to_login(
            request.GET.get("next") or reverse("admin:index", current_app=self.name),
            login_url=reverse("accounts:login"),
        )
