from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp.middleware import OTPMiddleware as BaseOTPMiddleware

from accounts import otp


class OTPMiddleware(BaseOTPMiddleware):
    """django-otp's middleware (request.user.is_verified()), reading the device that signed
    the session in from the cache: an admin's request costs no query for it."""

    def _device_from_persistent_id(self, persistent_id: str):
        return otp.device_for_session(self._normalize_persistent_id(persistent_id))


def otp_not_required(view: Callable) -> Callable:
    """Marks a view an admin may open between the password and the code (the code pages
    themselves, logging out, the language switch)."""
    view.otp_required = False
    return view


class admins_verified:
    """An admin signed in with the password only reaches nothing but the code step: not the
    Django admin, not the dashboard of all OPDs, not any page a Dinas PPKUKM admin sees."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        if not getattr(view_func, "otp_required", True):
            return None
        user = request.user
        if not otp.needs_second_factor(user) or user.is_verified():
            return None
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('accounts:otp-verify')}?{query}")
