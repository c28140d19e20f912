"""Sealed bids: a bid's content is stored only as ciphertext until the package closes, so that
neither an officer nor a database dump taken before the deadline reveals its prices. The key
is held by the application (BID_SEALING_KEYS), never by the database. The receipt is the
SHA-256 of the canonical content: the vendor keeps it and can check it against the opened
bid later."""

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def canonical(content: dict) -> bytes:
    """One byte string per content: sorted keys, no spaces, amounts as strings."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def receipt(content: dict) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        # No explicit key: derive one from SECRET_KEY (also held only by the application).
        derived = hashlib.sha256(f"p3dn-bid-sealing:{secret_key}".encode()).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "BID_SEALING_KEYS must be comma-separated Fernet keys "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')."
        ) from error


def _keys() -> MultiFernet:
    return _fernet(tuple(settings.BID_SEALING_KEYS), settings.SECRET_KEY)


def seal(content: dict) -> bytes:
    return _keys().encrypt(canonical(content))


def unseal(token: bytes) -> dict:
    try:
        return json.loads(_keys().decrypt(bytes(token)))
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A sealed bid cannot be opened with the configured BID_SEALING_KEYS: keep every key "
            "used since the bid was submitted in the list (the first one seals new bids)."
        ) from error
