from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import LazyObject, empty
from django_otp.middleware import OTPMiddleware as BaseOTPMiddleware

from accounts import otp


class OTPMiddleware(BaseOTPMiddleware):
    """django-otp's middleware (request.user.is_verified()), reading the device that signed
    the session in from the cache: an admin's request costs no query for it."""

    def _device_from_persistent_id(self, persistent_id: str):
        return otp.device_for_session(self._normalize_persistent_id(persistent_id))


def loaded(user):
    """The object behind the lazy wrappers of request.user, loading it if need be."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


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
            # Loaded now in any case: the view and its templates read the user itself, not
            # through the two lazy wrappers (auth's and django-otp's) that each attribute
            # would otherwise pass, at a raised and caught AttributeError each.
            request.user = loaded(user)
            return None
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('accounts:otp-verify')}?{query}")
