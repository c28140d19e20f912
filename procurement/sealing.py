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
read it), so a key may leave the list only once no bid at all names it.

What is sealed is a `BidContent`: the only code that knows the stored layout of a bid's
content (its keys and how each value is written) is `BidContent.to_dict`/`from_dict`."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from procurement import rules

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


# The content's layout ------------------------------------------------------------------------

# The layout's number, stored under "format" (not "version": that is the bid's version). A
# content sealed before the number was written is format 1, the same layout; the oldest of
# those lack a line's "kbli". A new layout gets the next number and its reading here, for
# sealed bids outlive any code change.
CONTENT_FORMAT = 1
CENT = Decimal("0.01")  # amounts are written to the cent
CONTENT_FORMAT_UNKNOWN = "A sealed bid's content has format {format}; this portal reads {known}."


def _amount(value: Decimal) -> str:
    return str(value.quantize(CENT))


@dataclass(frozen=True)
class BidContentLine:
    """One priced item as sealed, with the local content frozen at submission."""

    item: int  # the PackageItem's id
    product: int  # the Product's id
    product_name: str
    kbli: str  # the product's KBLI ("" in the oldest bids, sealed before it was kept)
    quantity: Decimal  # the document's volume
    unit_price: Decimal
    tkdn_pct: Decimal
    bmp_pct: Decimal
    certificate_number: str  # the TKDN certificate the figures rest on; "" without one
    certificate_expires_on: date | None
    halal_certificate_number: str

    @property
    def total(self) -> Decimal:
        return self.quantity * self.unit_price

    @property
    def figures(self) -> rules.LineFigures:
        return rules.LineFigures(self.quantity, self.unit_price, self.tkdn_pct, self.bmp_pct)

    def to_dict(self) -> dict:
        return {
            "item": self.item,
            "product": self.product,
            "product_name": self.product_name,
            "kbli": self.kbli,
            "quantity": _amount(self.quantity),
            "unit_price": _amount(self.unit_price),
            "tkdn_pct": str(self.tkdn_pct),
            "bmp_pct": str(self.bmp_pct),
            "certificate_number": self.certificate_number,
            "certificate_expires_on": (
                self.certificate_expires_on.isoformat() if self.certificate_expires_on else ""
            ),
            "halal_certificate_number": self.halal_certificate_number,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "BidContentLine":
        expires = data["certificate_expires_on"]
        return cls(
            item=data["item"],
            product=data["product"],
            product_name=data["product_name"],
            kbli=data.get("kbli", ""),
            quantity=Decimal(data["quantity"]),
            unit_price=Decimal(data["unit_price"]),
            tkdn_pct=Decimal(data["tkdn_pct"]),
            bmp_pct=Decimal(data["bmp_pct"]),
            certificate_number=data["certificate_number"],
            certificate_expires_on=date.fromisoformat(expires) if expires else None,
            halal_certificate_number=data["halal_certificate_number"],
        )


@dataclass(frozen=True)
class BidContent:
    """A bid as its bidder sealed it: the lines, and the totals the receipt shows."""

    package: int
    vendor: int
    version: int  # the bid's version (1, then each revision)
    submitted_at: datetime
    lines: tuple[BidContentLine, ...]
    total: Decimal  # as stated: the lines at the document's volumes
    tkdn_pct: Decimal  # price-weighted over the lines (procurement.rules.bid_local_content)
    tkdn_bmp_pct: Decimal

    @classmethod
    def of_lines(
        cls,
        *,
        package: int,
        vendor: int,
        version: int,
        submitted_at: datetime,
        lines: Iterable[BidContentLine],
    ) -> "BidContent":
        """The content of these lines, with the totals they make."""
        lines = tuple(lines)
        share = rules.bid_local_content(line.figures for line in lines)
        return cls(
            package=package,
            vendor=vendor,
            version=version,
            submitted_at=submitted_at,
            lines=lines,
            total=share.total,
            tkdn_pct=share.tkdn_pct,
            tkdn_bmp_pct=share.tkdn_bmp_pct,
        )

    def to_dict(self) -> dict:
        """The stored layout, which `canonical` turns into the bytes that are sealed and
        hashed into the receipt."""
        return {
            "format": CONTENT_FORMAT,
            "package": self.package,
            "vendor": self.vendor,
            "version": self.version,
            "submitted_at": self.submitted_at.isoformat(),
            "lines": [line.to_dict() for line in self.lines],
            "total": _amount(self.total),
            "tkdn_pct": str(self.tkdn_pct),
            "tkdn_bmp_pct": str(self.tkdn_bmp_pct),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "BidContent":
        format_ = data.get("format", 1)
        if format_ != CONTENT_FORMAT:
            raise ValueError(CONTENT_FORMAT_UNKNOWN.format(format=format_, known=CONTENT_FORMAT))
        return cls(
            package=data["package"],
            vendor=data["vendor"],
            version=data["version"],
            submitted_at=datetime.fromisoformat(data["submitted_at"]),
            lines=tuple(BidContentLine.from_dict(line) for line in data["lines"]),
            total=Decimal(data["total"]),
            tkdn_pct=Decimal(data["tkdn_pct"]),
            tkdn_bmp_pct=Decimal(data["tkdn_bmp_pct"]),
        )

    def sealed_fields(self) -> dict:
        """The Bid fields that hold this content (see the module function)."""
        return sealed_fields(self.to_dict())

    @classmethod
    def unsealed(cls, token: bytes) -> "BidContent":
        return cls.from_dict(unseal(token))
