"""A vendor's bids: sealed at submission (a revision replaces the active one), withdrawn
before the deadline, and opened into lines and totals when the package closes. Before
opening nobody but the bidder reads a bid's content."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit import services as audit
from audit.models import AuditAction
from p3dn_portal.lib.formatting import percent
from procurement import evaluation, rules, sealing
from procurement.models import Bid, BidLine, BidStatus, Package, PackageItem
from procurement.rules import Status
from procurement.services import lifecycle
from procurement.services.lifecycle import _when
from procurement.services.notifications import _notify_vendor_users
from vendors import services as vendor_services
from vendors.models import Product, Vendor
from vendors.selectors import products_with_local_content, valid_halal_certificates

NOT_OPEN_YET = _("Penawaran untuk paket ini belum dibuka (dibuka {opens}).")
DEADLINE_PASSED = _(
    "Batas akhir penawaran ({closes}) sudah lewat menurut jam server. Penawaran tidak dapat "
    "diajukan, diubah, atau ditarik lagi."
)
NOT_ANNOUNCED = _("Paket ini tidak sedang menerima penawaran.")
VENDOR_NOT_VERIFIED = _(
    "Usaha Anda belum diverifikasi Dinas PPKUKM, sehingga belum dapat mengajukan penawaran."
)
RESERVED_NOT_SMALL = _(
    "Paket ini dicadangkan untuk usaha kecil (mikro dan kecil); skala usaha Anda {scale}."
)
HALAL_MISSING = _(
    "Paket ini wajib halal: produk makanan/minuman {products} belum punya sertifikat halal "
    "terverifikasi yang berlaku sampai batas akhir penawaran."
)
MIN_TKDN_NOT_MET = _(
    "TKDN penawaran Anda {tkdn} di bawah TKDN minimal paket {minimum}. Pilih produk dengan "
    "sertifikat TKDN lebih tinggi."
)
LINE_FOREIGN_PRODUCT = _("Pilih produk milik usaha Anda sendiri.")
LINE_INACTIVE_PRODUCT = _("Produk {product} nonaktif: aktifkan dulu di daftar produk.")
LINES_INCOMPLETE = _("Isi produk dan harga satuan untuk setiap rincian paket.")
LINES_MISSING = _(
    "Rincian {items} belum diisi: pilih produk Anda dan isi harga satuannya. Paket ini meminta "
    "harga untuk setiap rincian."
)
LINE_NOT_IN_PACKAGE = _("Rincian yang dikirim bukan rincian paket ini. Muat ulang halaman.")
LINE_PRICE_NOT_POSITIVE = _(
    "Harga satuan rincian {item} harus lebih dari nol. Isi harga per {unit} dalam rupiah."
)
BID_NOT_ACTIVE = _("Penawaran ini sudah diganti revisi atau ditarik.")


@dataclass(frozen=True)
class LineInput:
    """One priced item of a bid. There is no volume: the document's volume is the bid's."""

    item: PackageItem
    product: Product
    unit_price: Decimal


def _check_vendor(package: Package, vendor: Vendor, *, today: date) -> None:
    if not vendor.is_verified:
        raise ValidationError(VENDOR_NOT_VERIFIED, code="vendor_not_verified")
    # Not while blacklisted (the day the bid comes in, in Jakarta).
    vendor_services.blacklisting_check(
        vendor=vendor, on=today, message=vendor_services.BLACKLISTED_BID
    )
    if package.reserved_for_small_business and not vendor.is_umk:
        raise ValidationError(
            RESERVED_NOT_SMALL.format(scale=vendor.get_scale_display() or "—"), code="reserved"
        )


def bidding_problem(*, package: Package, vendor: Vendor, now: datetime) -> str | None:
    """Why this vendor cannot bid on the package at `now`, in the words bid_submit would
    refuse with, before it fills in a bid (the bid page and the package page say it); None
    if it may try (bid_submit decides, by the database clock, when the bid comes in)."""
    try:
        _check_open(package, now)
        _check_vendor(package, vendor, today=timezone.localdate(now))
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def _check_eligibility(
    *,
    package: Package,
    vendor: Vendor,
    products: list[Product],
    tkdn_pct: Decimal,
    on: date,
    today: date,
) -> None:
    _check_vendor(package, vendor, today=today)
    if package.halal_required:
        halal_ids = set(
            valid_halal_certificates(on=on)
            .filter(products__in=products)
            .values_list("products", flat=True)
        )
        missing = [p.name for p in products if p.is_food and p.pk not in halal_ids]
        if missing:
            raise ValidationError(
                HALAL_MISSING.format(products=", ".join(missing)), code="halal_missing"
            )
    if package.min_tkdn_pct is not None and tkdn_pct < package.min_tkdn_pct:
        raise ValidationError(
            MIN_TKDN_NOT_MET.format(tkdn=percent(tkdn_pct), minimum=percent(package.min_tkdn_pct)),
            code="min_tkdn",
        )


@transaction.atomic
def bid_submit(*, package: Package, vendor: Vendor, by: User, lines: list[LineInput]) -> Bid:
    """Seal a bid, or a revision that replaces the vendor's active one. The local content
    is computed now from the products' certificates valid on the closing date, and frozen."""
    member = by.vendor_member
    if member is None or member.vendor_id != vendor.pk:
        raise PermissionDenied(LINE_FOREIGN_PRODUCT)
    # The package row lock serializes submissions to this package: two submissions from one
    # vendor racing each other, or racing the deadline, are decided one after the other.
    package = Package.objects.select_for_update().get(pk=package.pk)
    now = lifecycle.database_now()
    _check_open(package, now)
    items = {item.pk: item for item in package.items.all()}
    _check_lines(package, items, lines)
    closing_day = timezone.localtime(package.closes_at).date()
    products = {
        p.pk: p
        for p in products_with_local_content(on=closing_day).filter(
            pk__in=[line.product.pk for line in lines]
        )
    }
    for line in lines:
        product = products.get(line.product.pk)
        if product is None or product.vendor_id != vendor.pk:
            raise ValidationError(LINE_FOREIGN_PRODUCT, code="foreign_product")
        if not product.is_active:
            raise ValidationError(
                LINE_INACTIVE_PRODUCT.format(product=product.name), code="inactive_product"
            )
    halal_numbers = dict(
        valid_halal_certificates(on=closing_day)
        .filter(products__in=list(products))
        .values_list("products", "number")
    )
    content_lines = []
    for line in sorted(lines, key=lambda l: items[l.item.pk].position):  # noqa: E741
        product = products[line.product.pk]
        local = product.local_content_on(closing_day)
        content_lines.append(
            sealing.BidContentLine(
                item=line.item.pk,
                product=product.pk,
                product_name=product.name,
                kbli=product.kbli,
                # The document's volume, never one the bidder sent (Perlem LKPP 12/2021).
                quantity=items[line.item.pk].quantity,
                unit_price=line.unit_price,
                tkdn_pct=local.tkdn_pct,
                bmp_pct=local.bmp_pct,
                certificate_number=local.certificate.number if local.certificate else "",
                certificate_expires_on=local.certificate.expires_on if local.certificate else None,
                halal_certificate_number=halal_numbers.get(product.pk, ""),
            )
        )
    _check_eligibility(
        package=package,
        vendor=vendor,
        products=list(products.values()),
        tkdn_pct=rules.bid_local_content(line.figures for line in content_lines).tkdn_pct,
        on=closing_day,
        today=timezone.localdate(now),
    )
    previous = package.bids.filter(vendor=vendor)
    replaced = list(previous.filter(status=BidStatus.ACTIVE).values_list("pk", "version"))
    previous.filter(status=BidStatus.ACTIVE).update(status=BidStatus.SUPERSEDED)
    version = (previous.aggregate(v=Max("version"))["v"] or 0) + 1
    content = sealing.BidContent.of_lines(
        package=package.pk, vendor=vendor.pk, version=version, submitted_at=now, lines=content_lines
    )
    bid = Bid.objects.create(
        package=package,
        vendor=vendor,
        version=version,
        submitted_by=by,
        submitted_at=now,
        **content.sealed_fields(),
    )
    _audit_bid_submitted(bid, replaced=replaced, by=by)
    # The vendor's own users get the receipt (its fingerprint, never its content) by mail.
    _notify_vendor_users(vendor, "procurement/bid_received", package=package, bid=bid)
    return bid


def _check_lines(package: Package, items: dict[int, PackageItem], lines: list[LineInput]) -> None:
    """Every line is an item of this package, once, with a price above zero; every item has
    a line unless the package lets items be left out (then included in the other prices)."""
    if not lines:
        raise ValidationError(LINES_INCOMPLETE, code="lines_incomplete")
    seen = [line.item.pk for line in lines]
    if len(set(seen)) != len(seen) or not set(seen) <= set(items):
        raise ValidationError(LINE_NOT_IN_PACKAGE, code="foreign_item")
    missing = [item for pk, item in items.items() if pk not in seen]
    if missing and not package.items_optional:
        raise ValidationError(
            LINES_MISSING.format(
                items=", ".join(f"{item.position}. {item.description}" for item in missing)
            ),
            code="lines_missing",
        )
    for line in lines:
        if line.unit_price is None or line.unit_price <= 0:
            item = items[line.item.pk]
            raise ValidationError(
                LINE_PRICE_NOT_POSITIVE.format(
                    item=f"{item.position}. {item.description}", unit=item.unit
                ),
                code="price_not_positive",
            )


def kbli_mismatches(lines: list[LineInput]) -> list[LineInput]:
    """The lines whose product's KBLI differs from the item's: a warning for the bidder and a
    flag for the evaluator, never a silent pass."""
    return [line for line in lines if not rules.kbli_matches(line.item.kbli, line.product.kbli)]


# A bid's fields the log may hold while it is sealed: never its prices or content.
BID_PUBLIC_FIELDS = ("status", "version", "submitted_at", "receipt_hash")


def _audit_bid_submitted(bid: Bid, *, replaced: list[tuple[int, int]], by: User) -> None:
    rows = [
        audit.entry(
            actor=by,
            action=AuditAction.BID_STATUS_CHANGED,
            obj=Bid(pk=pk, package=bid.package, vendor=bid.vendor, version=version),
            changes={"status": [BidStatus.ACTIVE, BidStatus.SUPERSEDED]},
            note=f"Diganti versi {bid.version}.",
        )
        for pk, version in replaced
    ]
    rows.append(
        audit.entry(
            actor=by,
            action=AuditAction.BID_SUBMITTED,
            obj=bid,
            changes=audit.diff({}, audit.snapshot(bid, BID_PUBLIC_FIELDS)),
        )
    )
    audit.record_many(rows)


@transaction.atomic
def bid_withdraw(*, bid: Bid, by: User) -> Bid:
    member = by.vendor_member
    if member is None or member.vendor_id != bid.vendor_id:
        raise PermissionDenied(LINE_FOREIGN_PRODUCT)
    package = Package.objects.select_for_update().get(pk=bid.package_id)
    _check_open(package, lifecycle.database_now())
    bid = Bid.objects.select_for_update().get(pk=bid.pk)
    if bid.status != BidStatus.ACTIVE:
        raise ValidationError(BID_NOT_ACTIVE, code="not_active")
    bid.status = BidStatus.WITHDRAWN
    bid.save(update_fields=["status"])
    audit.record(
        actor=by,
        action=AuditAction.BID_WITHDRAWN,
        obj=bid,
        changes={"status": [BidStatus.ACTIVE, BidStatus.WITHDRAWN]},
    )
    return bid


def bid_content(bid: Bid) -> sealing.BidContent:
    """The sealed content, for the bidding vendor (before closing) or after opening."""
    return sealing.BidContent.unsealed(bid.sealed_content)


def bid_receipt_matches(bid: Bid) -> bool:
    """Whether the stored content still hashes to the receipt the vendor was given: the
    hash of the bytes as sealed, whatever their format."""
    return sealing.receipt(sealing.unseal(bid.sealed_content)) == bid.receipt_hash


def _check_open(package: Package, now: datetime) -> None:
    if package.status != Status.ANNOUNCED:
        raise ValidationError(NOT_ANNOUNCED, code="not_announced")
    if now < package.opens_at:
        raise ValidationError(NOT_OPEN_YET.format(opens=_when(package.opens_at)), code="not_open")
    if now >= package.closes_at:
        raise ValidationError(
            DEADLINE_PASSED.format(closes=_when(package.closes_at)), code="deadline_passed"
        )


def _open(bid: Bid, items: dict[int, PackageItem]) -> None:
    """Decrypt a sealed bid into its lines and totals (at closing only). The bid price HP is
    the total after arithmetic correction: each item at the document's volume."""
    lines = [
        BidLine(
            bid=bid,
            item_id=line.item,
            product_id=line.product,
            product_name=line.product_name,
            product_kbli=line.kbli,
            quantity=line.quantity,
            unit_price=line.unit_price,
            tkdn_pct=line.tkdn_pct,
            bmp_pct=line.bmp_pct,
            certificate_number=line.certificate_number,
            certificate_expires_on=line.certificate_expires_on,
            halal_certificate_number=line.halal_certificate_number,
        )
        for line in bid_content(bid).lines
        if line.item in items  # an item not in the document is dropped
    ]
    BidLine.objects.bulk_create(lines)
    corrected = evaluation.correct_bid(
        [item.terms() for item in items.values()],
        [evaluation.LineOffer(str(l.item_id), l.quantity, l.unit_price) for l in lines],  # noqa: E741
    )
    local = rules.bid_local_content(
        rules.LineFigures(items[l.item_id].quantity, l.unit_price, l.tkdn_pct, l.bmp_pct)
        for l in lines  # noqa: E741
    )
    bid.price = corrected.total
    bid.tkdn_pct = local.tkdn_pct
    bid.tkdn_bmp_pct = local.tkdn_bmp_pct
    bid.opened_at = timezone.now()
    bid.save(update_fields=["price", "tkdn_pct", "tkdn_bmp_pct", "opened_at"])
