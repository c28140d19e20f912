"""Signing admins in as the portal does: password, then a code from their TOTP device.

`sign_in_with_otp(client, user)` gives a test client of a fully signed-in user (what the
`login` fixture does for admins); `totp_now(device)` is the code an authenticator app would
show now, for tests that go through the real code form (e2e)."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp

BACKEND = "accounts.backends.EmailBackend"


def otp_device(user) -> TOTPDevice:
    """The user's confirmed authenticator device, made when there is none."""
    return otp.confirmed_device(user) or TOTPDevice.objects.create(
        user=user, name=otp.DEVICE_NAME, confirmed=True
    )


def totp_now(device: TOTPDevice) -> str:
    """The code the device shows now, as an authenticator app would (six digits)."""
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    return str(code).zfill(device.digits)


def sign_in_with_otp(client: Client, user) -> Client:
    """Log the user in through the portal's backend and mark the session as verified with
    their authenticator device, as the code step does (accounts.otp.session_verified)."""
    client.force_login(user, backend=BACKEND)
    device = otp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    otp.device_remember(device)
    return client
