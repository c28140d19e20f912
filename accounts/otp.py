"""Two-factor sign-in of Dinas PPKUKM admins: a TOTP authenticator app (django-otp) after
the password. An admin without a confirmed device enrols one at the first sign-in."""

import base64
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

DEVICE_NAME = "Aplikasi autentikator"


def needs_second_factor(user: User) -> bool:
    """Admins (Dinas PPKUKM staff) sign in with a code after the password; others do not."""
    return user.is_authenticated and user.is_staff


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


@transaction.atomic
def enrolment_device(*, user: User) -> TOTPDevice:
    """The device being enrolled: the same secret until it is confirmed, so reloading the
    enrolment page does not invalidate a QR code already scanned."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def device_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def device_qr_data_url(device: TOTPDevice) -> str:
    """The otpauth:// URI as an SVG QR code in a data: URL (an <img> the CSP allows)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def token_verify(*, request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """Check a code against the admin's device (django-otp throttles repeated failures) and,
    when it matches, mark the session as signed in with it."""
    verified = verify_token(request.user, device.persistent_id, token.strip())
    if verified is None:
        return False
    session_verified(request=request, device=verified)
    return True


@transaction.atomic
def enrolment_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """The first code from a newly scanned device confirms it and signs the session in."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user)
    if not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    session_verified(request=request, device=device)
    return True


def session_verified(*, request: HttpRequest, device: Device) -> None:
    """The session is signed in with this device, under a new key (what it may do has grown);
    an admin's session is shorter than others'."""
    request.session.cycle_key()
    otp_login(request, device)
    device_remember(device)
    request.session.set_expiry(settings.ADMIN_SESSION_AGE)


def _device_cache_key(persistent_id: str) -> str:
    return f"otp-device:{persistent_id}"


def device_remember(device: Device) -> None:
    """Keep the device that signed a session in, so that the admin's next requests do not
    read it from the database (accounts.middleware.OTPMiddleware)."""
    cache.set(
        _device_cache_key(device.persistent_id), device, timeout=settings.OTP_DEVICE_CACHE_SECONDS
    )


def device_for_session(persistent_id: str) -> Device | None:
    """The device a session was signed in with, from the cache when it is there. A device
    deleted by an admin stops signing sessions in at the latest when its entry expires
    (OTP_DEVICE_CACHE_SECONDS)."""
    device = cache.get(_device_cache_key(persistent_id))
    if device is None:
        device = Device.from_persistent_id(persistent_id)
        if device is not None:
            device_remember(device)
    return device
