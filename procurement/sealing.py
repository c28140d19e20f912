"""Sealed bids: a bid's content is stored only as ciphertext until the package closes, so that
neither an officer nor a database dump taken before the deadline reveals its prices. The keys
are held by the application (BID_SEALING_KEYS), never by the database nor derived from
another secret. The receipt is the SHA-256 of the canonical content: the vendor keeps it and
can check it against the opened bid later.

Keys have a life cycle: the first key of the list seals, every key of the list opens. Beside
each ciphertext the bid stores the id of the key that sealed it (`sealing_key_id`), so that a
bid whose key has left the list is found by comparing ids (`selectors.sealing_key_ids_unknown`)
long before anyone tries to open it; `services.bids_reseal` moves every bid to the first key
(rotation). Opened bids keep their ciphertext too (the vendor's copy and the receipt check
read it), so a key may leave the list only once no bid at all names it."""

import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_ID_LENGTH = 16
KEYS_INVALID = (
    "BID_SEALING_KEYS must be comma-separated Fernet keys "
    '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())").'
)
BID_UNREADABLE = (
    "A sealed bid cannot be opened with the configured BID_SEALING_KEYS: keep every key "
    "used since the bid was submitted in the list (the first one seals new bids)."
)


def canonical(content: dict) -> bytes:
    """One byte string per content: sorted keys, no spaces, amounts as strings."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def receipt(content: dict) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def key_id(key: str) -> str:
    """A key's public name: the start of its SHA-256, which says nothing about the key."""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:KEY_ID_LENGTH]


@cache
def _keyring(keys: tuple[str, ...]) -> tuple[MultiFernet, dict[str, Fernet]]:
    if not keys:
        raise ImproperlyConfigured(KEYS_INVALID)
    try:
        by_id = {key_id(key): Fernet(key) for key in keys}
    except ValueError as error:
        raise ImproperlyConfigured(KEYS_INVALID) from error
    return MultiFernet(list(by_id.values())), by_id


def _configured() -> tuple[str, ...]:
    return tuple(settings.BID_SEALING_KEYS)


def check_keys(keys: list[str] | tuple[str, ...]) -> None:
    """Raise ImproperlyConfigured unless every key is a Fernet key (settings call it)."""
    _keyring(tuple(keys))


def current_key_id() -> str:
    """The id of the key that seals new bids (the first of the list)."""
    return key_id(_configured()[0])


def configured_key_ids() -> list[str]:
    """The ids of every key that opens bids, the sealing one first."""
    return list(_keyring(_configured())[1])


def seal(content: dict) -> bytes:
    return _keyring(_configured())[0].encrypt(canonical(content))


def sealed_fields(content: dict) -> dict:
    """The fields of a Bid that hold its content: ciphertext, the sealing key's id and the
    receipt. Every writer of a bid's content goes through here."""
    return {
        "sealed_content": seal(content),
        "sealing_key_id": current_key_id(),
        "receipt_hash": receipt(content),
    }


def unseal(token: bytes) -> dict:
    try:
        return json.loads(_keyring(_configured())[0].decrypt(bytes(token)))
    except InvalidToken as error:
        raise ImproperlyConfigured(BID_UNREADABLE) from error


def reseal(token: bytes) -> bytes:
    """The same content (and original timestamp) sealed with the first key. Raises
    ImproperlyConfigured when no configured key opens it."""
    try:
        return _keyring(_configured())[0].rotate(bytes(token))
    except InvalidToken as error:
        raise ImproperlyConfigured(BID_UNREADABLE) from error


def opens_with(token: bytes, key_id_: str) -> bool:
    """Whether the configured key of that id opens the token (a trial decrypt)."""
    fernet = _keyring(_configured())[1].get(key_id_)
    if fernet is None:
        return False
    try:
        fernet.decrypt(bytes(token))
    except InvalidToken:
        return False
    return True
