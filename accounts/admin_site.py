from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_otp.admin import OTPAdminSite


class PortalAdminSite(OTPAdminSite):
    """The Django admin of Dinas PPKUKM: open to staff whose session passed the code step
    (django-otp), and signed in to through the portal's own login, the one sign-in for
    everyone (its lockout and its code step apply to the admin too)."""

    name = "admin"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    @login_not_required
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return redirect_to_login(
            request.GET.get("next") or reverse("admin:index", current_app=self.name),
            login_url=reverse("accounts:login"),
        )
