"""Who is signing in, as django-axes counts failed logins: the email as the account stores
it, and the client's address as the reverse proxy saw it."""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.http import HttpRequest

from accounts.models import normalize_email


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind TRUSTED_PROXY_COUNT proxies, each appending the address
    it was reached from to X-Forwarded-For, the client is that many entries from the right:
    entries further left were sent by the client itself and could be anything."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def login_username(request: HttpRequest, credentials: dict | None) -> str:
    """The email of a login attempt, lower-cased and trimmed like the account's: typing it
    with capitals does not start a fresh count."""
    if credentials and credentials.get(settings.AXES_USERNAME_FORM_FIELD):
        return normalize_email(credentials[settings.AXES_USERNAME_FORM_FIELD])
    return normalize_email(request.POST.get(settings.AXES_USERNAME_FORM_FIELD, ""))


def login_failures_forget(*, email: str) -> None:
    """A new password set through the emailed link ends a lockout of that email at once."""
    axes_reset(username=normalize_email(email))
