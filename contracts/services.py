"""Writes of the contracts app: the contract from a contracted package, deliveries and the
vendor's answer to each, the handover (BAST) with the rating and the flags it raises, the
vendor's acknowledgement and answer. Each step is audited and told to whom it concerns."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import User
from audit import services as audit
from audit.models import AuditAction
from contracts import notifications, rules, selectors
from contracts.copying import copy_contract
from contracts.models import (
    Contract,
    ContractFlag,
    ContractLine,
    ContractStatus,
    Delivery,
    DeliveryLine,
    FlagKind,
    Handover,
    Rating,
    VendorResponse,
)
from p3dn_portal.lib.formatting import percent, quantity
from procurement.models import OPD, BidLine, Package, Position
from vendors.models import CertificateStatus, Product, TKDNCertificate

NOT_YOUR_CONTRACT = _("Kontrak ini milik OPD lain.")
NOT_YOUR_VENDOR_CONTRACT = _("Kontrak ini bukan milik perusahaan Anda.")
ONLY_PPK = _("Hanya PPK OPD ini yang dapat {action}.")
ACTION_DELIVERY = _("mencatat pengiriman")
ACTION_HANDOVER = _("menandatangani BAST")
HANDED_OVER_ALREADY = _(
    "Kontrak sudah diserahterimakan (BAST): pengiriman tidak dapat dicatat lagi."
)
DATE_IN_FUTURE = _("Tanggal tidak boleh sesudah hari ini.")
DATE_BEFORE_CONTRACT = _("Tanggal tidak boleh sebelum tanggal kontrak ({signed_on}).")
NOTHING_DELIVERED = _("Isi volume yang dikirim untuk sedikitnya satu barang.")
LINE_NOT_OF_CONTRACT = _("Baris ini bukan bagian dari kontrak.")
NEGATIVE = _("{item}: volume tidak boleh kurang dari nol.")
ACCEPTED_OVER_DELIVERED = _(
    "{item}: volume diterima ({accepted}) melebihi volume dikirim ({delivered})."
)
OVER_REMAINING = _("{item}: volume dikirim ({delivered}) melebihi sisa kontrak ({remaining}).")
PRODUCT_NOT_OF_VENDOR = _("{item}: produk harus milik penyedia kontrak.")
SUBSTITUTION_REASON = _(
    "{item}: produk atau sertifikat TKDN berbeda dari penawaran ({what}); tulis alasannya."
)
ALREADY_ANSWERED = _("Pengiriman ini sudah ditanggapi.")
DISPUTE_NOTE = _("Tulis apa yang dibantah: PPK membacanya.")
NO_ACCEPTED_DELIVERY = _("Belum ada barang yang diterima: catat pengiriman sebelum BAST.")
HANDOVER_EXISTS = _("BAST kontrak ini sudah ditandatangani.")
RATING_REQUIRED = _(
    "Nilai penyedia wajib diisi pada BAST: kualitas, biaya, waktu dan layanan (1 sampai 4)."
)
MARK_RANGE = _("Setiap nilai antara 1 (kurang) dan 4 (sangat baik).")
RATING_NOTE = _("Tulis catatan untuk nilai 1 (kurang) atau 2 (cukup).")
NO_HANDOVER = _("BAST belum ditandatangani.")
ACKNOWLEDGED_ALREADY = _("BAST sudah diakui.")
ANSWERED_ALREADY = _("Penilaian sudah dijawab; jawaban hanya sekali.")
ANSWER_REQUIRED = _("Tulis jawaban Anda.")
NO_RATING = _("Belum ada penilaian.")


# The audit log's summaries (translated when shown: audit.services.summary_display).
DELIVERY_SUMMARY = gettext_noop(
    "Pengiriman ke-{number} tanggal {day}: {accepted} dari {delivered} diterima."
)
SHORTFALL_SUMMARY = gettext_noop(
    "TKDN tercapai {achieved} di bawah TKDN penawaran {offered}: selisih {points} poin, "
    "senilai Rp{value}."
)
LAPSE_SUMMARY = {
    rules.Lapse.EXPIRED: gettext_noop(
        "Sertifikat TKDN {certificate} ({item}) kedaluwarsa sebelum pengiriman {day}."
    ),
    rules.Lapse.REVOKED: gettext_noop(
        "Sertifikat TKDN {certificate} ({item}) dicabut sebelum pengiriman {day}."
    ),
}
RESPONSE_SUMMARY = {
    True: gettext_noop("Pengiriman ke-{number} dikonfirmasi penyedia."),
    False: gettext_noop("Pengiriman ke-{number} dibantah penyedia."),
}
HANDOVER_SUMMARY = gettext_noop(
    "BAST {number}: nilai diterima Rp{value}, TKDN tercapai {tkdn} (penawaran {offered})."
)
RATING_SUMMARY = gettext_noop("Kualitas {quality}, biaya {cost}, waktu {time}, layanan {service}.")
ACKNOWLEDGED_SUMMARY = gettext_noop("BAST {number} diakui penyedia.")


# Who may act ---------------------------------------------------------------------------


def authorize_officer(
    *,
    contract: Contract,
    by: User,
    positions: Iterable[str] = (Position.PPK,),
    action="",
    refusal=ONLY_PPK,
) -> None:
    """PermissionDenied unless `by` is an officer of the contract's OPD in one of the
    positions (payments add the Bendahara); `refusal` may name the `{action}` and the
    officer's `{position}`."""
    officer = by.opd_officer
    if officer is None or officer.opd_id != contract.opd_id:
        raise PermissionDenied(NOT_YOUR_CONTRACT)
    if officer.position not in set(positions):
        raise PermissionDenied(
            refusal.format(
                action=action or ACTION_DELIVERY, position=officer.get_position_display()
            )
        )


def authorize_vendor(*, contract: Contract, by: User) -> None:
    member = by.vendor_member
    if member is None or member.vendor_id != contract.vendor_id:
        raise PermissionDenied(NOT_YOUR_VENDOR_CONTRACT)


def _locked(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


def _set_status(contract: Contract, status: str, *, by: User) -> None:
    if contract.status == status:
        return
    before = contract.status
    contract.status = status
    contract.save(update_fields=["status"])
    contract.status_changed = (before, status)


# The contract --------------------------------------------------------------------------


@transaction.atomic
def contract_create_from_package(*, package: Package, by: User | None) -> Contract:
    """The contract of a package just contracted, with its lines from the winning bid."""
    existed = Contract.objects.filter(package=package).first()
    if existed is not None:
        return existed
    contract = copy_contract(
        package, contract_model=Contract, line_model=ContractLine, bid_line_model=BidLine
    )
    audit.record(
        actor=by,
        action=AuditAction.CONTRACT_CREATED,
        obj=contract,
        changes={"number": [None, contract.number], "value": [None, contract.value]},
    )
    return contract


# Deliveries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryLineInput:
    contract_line: ContractLine
    quantity_delivered: Decimal
    quantity_accepted: Decimal
    product: Product | None = None  # None: the product bid
    substitution_reason: str = ""


def certificate_on(product: Product, day: date) -> TKDNCertificate | None:
    """The product's TKDN certificate valid on that day: verified (or since expired by the
    daily job), issued by then and not past its end date; the newest when several."""
    return (
        product.tkdn_certificates.filter(
            status__in=(CertificateStatus.VERIFIED, CertificateStatus.EXPIRED),
            issued_on__lte=day,
            expires_on__gte=day,
        )
        .order_by("-issued_on", "-pk")
        .first()
    )


def _check_day(day: date, contract: Contract, field: str) -> None:
    if day is None:
        raise ValidationError({field: _("Isi tanggalnya.")}, code="required")
    if day > timezone.localdate():
        raise ValidationError({field: DATE_IN_FUTURE}, code="future")
    if day < contract.signed_on:
        raise ValidationError(
            {field: DATE_BEFORE_CONTRACT.format(signed_on=_day(contract.signed_on))},
            code="before_contract",
        )


def _day(value: date) -> str:
    return date_format(value)


@transaction.atomic
def delivery_record(
    *,
    contract: Contract,
    by: User,
    delivered_on: date,
    lines: Sequence[DeliveryLineInput],
    note: str = "",
) -> Delivery:
    """The PPK records what arrived: per contract line the quantity delivered and accepted
    (never more than remains), the product (the one bid unless said otherwise) and the TKDN
    certificate valid on the delivery day, found from the product's certificates. Another
    product or certificate than the offer needs a reason. A certificate offered in the bid
    that lapsed (expired or revoked) by the delivery day flags the contract."""
    authorize_officer(contract=contract, by=by, action=ACTION_DELIVERY)
    contract = _locked(contract)
    if contract.status not in (ContractStatus.SIGNED, ContractStatus.DELIVERING):
        raise ValidationError(HANDED_OVER_ALREADY, code="handed_over")
    _check_day(delivered_on, contract, "delivered_on")
    accepted_before = selectors.accepted_by_line(contract)
    errors: list[str] = []
    rows: list[DeliveryLine] = []
    lapses: list[dict] = []
    for given in lines:
        line = given.contract_line
        if line.contract_id != contract.pk:
            raise ValidationError(LINE_NOT_OF_CONTRACT, code="line")
        delivered, accepted = given.quantity_delivered, given.quantity_accepted
        if delivered == 0 and accepted == 0:
            continue
        remaining = rules.remaining_quantity(
            contracted=line.quantity, accepted_before=[accepted_before.get(line.pk, Decimal(0))]
        )
        problem = rules.quantity_problem(
            delivered=delivered, accepted=accepted, remaining=remaining
        )
        if problem == rules.QuantityProblem.NEGATIVE:
            errors.append(NEGATIVE.format(item=line.description))
            continue
        if problem == rules.QuantityProblem.ACCEPTED_OVER_DELIVERED:
            errors.append(
                ACCEPTED_OVER_DELIVERED.format(
                    item=line.description, accepted=_qty(accepted), delivered=_qty(delivered)
                )
            )
            continue
        if problem == rules.QuantityProblem.OVER_REMAINING:
            errors.append(
                OVER_REMAINING.format(
                    item=line.description, delivered=_qty(delivered), remaining=_qty(remaining)
                )
            )
            continue
        product = given.product or line.product
        if product is None or product.vendor_id != contract.vendor_id:
            errors.append(PRODUCT_NOT_OF_VENDOR.format(item=line.description))
            continue
        certificate = certificate_on(product, delivered_on)
        reason = (given.substitution_reason or "").strip()
        if rules.substitution_needed(
            offered_product_id=line.product_id,
            delivered_product_id=product.pk,
            offered_certificate_number=line.certificate_number,
            delivered_certificate_number=certificate.number if certificate else "",
        ):
            if not reason:
                what = (
                    _("produk lain")
                    if line.product_id and product.pk != line.product_id
                    else _("sertifikat lain atau tanpa sertifikat yang berlaku")
                )
                errors.append(SUBSTITUTION_REASON.format(item=line.description, what=what))
                continue
        else:
            reason = ""
        lapse = _offered_certificate_lapse(line, delivered_on)
        if lapse is not None:
            lapses.append(lapse)
        rows.append(
            DeliveryLine(
                contract_line=line,
                product=product,
                quantity_delivered=delivered,
                quantity_accepted=accepted,
                tkdn_certificate=certificate,
                tkdn_pct=certificate.tkdn_pct if certificate else Decimal("0"),
                bmp_pct=certificate.bmp_pct if certificate else Decimal("0"),
                substitution_reason=reason,
            )
        )
    if errors:
        raise ValidationError(errors, code="lines")
    if not rows:
        raise ValidationError(NOTHING_DELIVERED, code="nothing")
    now = timezone.now()
    delivery = Delivery.objects.create(
        contract=contract,
        number=contract.deliveries.count() + 1,
        delivered_on=delivered_on,
        note=note.strip(),
        recorded_by=by,
        recorded_at=now,
    )
    for row in rows:
        row.delivery = delivery
    DeliveryLine.objects.bulk_create(rows)
    _set_status(contract, ContractStatus.DELIVERING, by=by)
    audit.record(
        actor=by,
        action=AuditAction.DELIVERY_RECORDED,
        obj=contract,
        summary=audit.summary_given(
            DELIVERY_SUMMARY,
            number=delivery.number,
            day=delivered_on.isoformat(),
            accepted=_qty(sum(r.quantity_accepted for r in rows)),
            delivered=_qty(sum(r.quantity_delivered for r in rows)),
        ),
        changes={
            "deliveries": [None, delivery.number],
            "lines": [
                None,
                [
                    {
                        "item": r.contract_line.description,
                        "delivered": str(r.quantity_delivered),
                        "accepted": str(r.quantity_accepted),
                        "product": r.product.name,
                        "certificate": r.tkdn_certificate.number if r.tkdn_certificate else "",
                        "tkdn_pct": str(r.tkdn_pct),
                        "substitution_reason": r.substitution_reason,
                    }
                    for r in rows
                ],
            ],
        },
        note=note.strip(),
    )
    notifications.delivery_recorded(contract, delivery)
    for lapse in lapses:
        _flag_lapse(contract, lapse, delivery=delivery, by=by)
    return delivery


def _qty(value: Decimal) -> str:
    return quantity(value)


def _offered_certificate_lapse(line: ContractLine, delivered_on: date) -> dict | None:
    """The bid's certificate for this line, when it had expired or been revoked by the
    delivery day: what the flag records."""
    if not line.certificate_number:
        return None
    offered = TKDNCertificate.objects.filter(number=line.certificate_number).first()
    if offered is None:
        return None
    lapse = rules.certificate_lapse(
        status=offered.status,
        expires_on=offered.expires_on,
        delivered_on=delivered_on,
        revoked_status=CertificateStatus.REJECTED,
    )
    if lapse is None:
        return None
    return {
        "line": line.pk,
        "item": line.description,
        "certificate": offered.number,
        "lapse": lapse,
        "expires_on": offered.expires_on.isoformat() if offered.expires_on else None,
        "delivered_on": delivered_on.isoformat(),
    }


def _flag_lapse(contract: Contract, lapse: dict, *, delivery: Delivery, by: User) -> None:
    already = contract.flags.filter(
        kind=FlagKind.CERTIFICATE_LAPSED, detail__certificate=lapse["certificate"]
    ).exists()
    if already:
        return
    flag = ContractFlag.objects.create(
        contract=contract,
        kind=FlagKind.CERTIFICATE_LAPSED,
        detail={**lapse, "delivery": delivery.number},
        raised_at=timezone.now(),
    )
    _audit_flag(flag, by=by)
    notifications.flag_raised(contract, flag)


def _audit_flag(flag: ContractFlag, *, by: User) -> None:
    if flag.kind == FlagKind.TKDN_SHORTFALL:
        summary = audit.summary_given(
            SHORTFALL_SUMMARY,
            achieved=flag.detail.get("achieved_tkdn_pct"),
            offered=flag.detail.get("offered_tkdn_pct"),
            points=str(flag.shortfall_pct),
            value=str(flag.shortfall_value),
        )
    else:
        summary = audit.summary_given(
            LAPSE_SUMMARY[flag.detail["lapse"]],
            certificate=flag.detail.get("certificate"),
            item=flag.detail.get("item"),
            day=flag.detail.get("delivered_on"),
        )
    audit.record(
        actor=by,
        action=AuditAction.CONTRACT_FLAGGED,
        obj=flag.contract,
        summary=summary,
        changes={"flags": [None, {"kind": flag.kind, **flag.detail}]},
    )


@transaction.atomic
def delivery_respond(*, delivery: Delivery, by: User, confirmed: bool, note: str = "") -> Delivery:
    """The vendor confirms a delivery as recorded, or disputes it with a note (once)."""
    contract = delivery.contract
    authorize_vendor(contract=contract, by=by)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.vendor_response != VendorResponse.PENDING:
        raise ValidationError(ALREADY_ANSWERED, code="answered")
    note = (note or "").strip()
    if not confirmed and not note:
        raise ValidationError({"vendor_note": DISPUTE_NOTE}, code="note")
    delivery.vendor_response = VendorResponse.CONFIRMED if confirmed else VendorResponse.DISPUTED
    delivery.vendor_note = note
    delivery.responded_by = by
    delivery.responded_at = timezone.now()
    delivery.save(update_fields=["vendor_response", "vendor_note", "responded_by", "responded_at"])
    audit.record(
        actor=by,
        action=AuditAction.DELIVERY_CONFIRMED if confirmed else AuditAction.DELIVERY_DISPUTED,
        obj=contract,
        changes={"vendor_response": [VendorResponse.PENDING, delivery.vendor_response]},
        summary=audit.summary_given(RESPONSE_SUMMARY[confirmed], number=delivery.number),
        note=note,
    )
    notifications.delivery_answered(contract, delivery)
    return delivery


# The handover (BAST) with the rating -----------------------------------------------------


@dataclass(frozen=True)
class RatingInput:
    quality: int | None
    cost: int | None
    time: int | None
    service: int | None
    note: str = ""

    @property
    def marks(self) -> tuple:
        return (self.quality, self.cost, self.time, self.service)


def rating_problems(rating: RatingInput | None) -> dict[str, str]:
    """Field errors of a rating (empty when it may be saved)."""
    if rating is None or any(mark is None for mark in rating.marks):
        return {"__all__": str(RATING_REQUIRED)}
    if any(not 1 <= int(mark) <= 4 for mark in rating.marks):
        return {"__all__": str(MARK_RANGE)}
    if rules.rating_needs_note(rating.marks) and not rating.note.strip():
        return {"rating_note": str(RATING_NOTE)}
    return {}


def handover_number(opd: OPD, year: int) -> str:
    """BAST/<OPD code>/<year>/<running number of the OPD's BASTs that year> (the caller
    holds the OPD's lock)."""
    prefix = f"BAST/{opd.code}/{year}/"
    count = Handover.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{count + 1:04d}"


@transaction.atomic
def handover_sign(
    *, contract: Contract, by: User, signed_on: date, rating: RatingInput | None
) -> Handover:
    """The PPK signs the BAST: the deliveries close, the achieved local content of what was
    accepted is recorded (the bid's formula) and compared with the offer (a shortfall flags
    the contract), and the vendor is rated in the same step (required)."""
    authorize_officer(contract=contract, by=by, action=ACTION_HANDOVER)
    contract = _locked(contract)
    if Handover.objects.filter(contract=contract).exists():
        raise ValidationError(HANDOVER_EXISTS, code="exists")
    if contract.status not in (ContractStatus.SIGNED, ContractStatus.DELIVERING):
        raise ValidationError(HANDOVER_EXISTS, code="exists")
    _check_day(signed_on, contract, "signed_on")
    problems = rating_problems(rating)
    if problems:
        raise ValidationError(problems, code="rating")
    accepted = selectors.accepted_lines(contract)
    achieved = rules.achieved_local_content(accepted)
    if achieved.total <= 0:
        raise ValidationError(NO_ACCEPTED_DELIVERY, code="nothing_accepted")
    last_delivery = contract.deliveries.order_by("-delivered_on").values_list(
        "delivered_on", flat=True
    )[:1]
    if last_delivery and signed_on < last_delivery[0]:
        raise ValidationError(
            {
                "signed_on": _(
                    "Tanggal BAST tidak boleh sebelum pengiriman terakhir ({day})."
                ).format(day=_day(last_delivery[0]))
            },
            code="before_delivery",
        )
    opd = OPD.objects.select_for_update().get(pk=contract.opd_id)
    now = timezone.now()
    handover = Handover.objects.create(
        contract=contract,
        number=handover_number(opd, signed_on.year),
        signed_on=signed_on,
        signed_by=by,
        signed_at=now,
        accepted_value=achieved.total,
        achieved_tkdn_pct=achieved.tkdn_pct,
        achieved_tkdn_bmp_pct=achieved.tkdn_bmp_pct,
    )
    rated = Rating.objects.create(
        contract=contract,
        quality=int(rating.quality),
        cost=int(rating.cost),
        time=int(rating.time),
        service=int(rating.service),
        note=rating.note.strip(),
        rated_by=by,
        rated_at=now,
    )
    _set_status(contract, ContractStatus.HANDED_OVER, by=by)
    audit.record(
        actor=by,
        action=AuditAction.HANDOVER_SIGNED,
        obj=contract,
        summary=audit.summary_given(
            HANDOVER_SUMMARY,
            number=handover.number,
            value=str(handover.accepted_value),
            tkdn=percent(handover.achieved_tkdn_pct),
            offered=percent(contract.offered_tkdn_pct),
        ),
        changes={
            "status": [ContractStatus.DELIVERING, ContractStatus.HANDED_OVER],
            "handover": [None, handover.number],
            "accepted_value": [None, str(handover.accepted_value)],
            "achieved_tkdn_pct": [None, str(handover.achieved_tkdn_pct)],
            "achieved_tkdn_bmp_pct": [None, str(handover.achieved_tkdn_bmp_pct)],
        },
    )
    audit.record(
        actor=by,
        action=AuditAction.VENDOR_RATED,
        obj=contract,
        summary=audit.summary_given(
            RATING_SUMMARY,
            quality=rated.quality,
            cost=rated.cost,
            time=rated.time,
            service=rated.service,
        ),
        changes={
            "quality": [None, rated.quality],
            "cost": [None, rated.cost],
            "time": [None, rated.time],
            "service": [None, rated.service],
        },
        note=rated.note,
    )
    notifications.handover_signed(contract, handover)
    notifications.vendor_rated(contract, rated)
    shortfall = rules.tkdn_shortfall(
        offered_tkdn_pct=contract.offered_tkdn_pct,
        achieved_tkdn_pct=handover.achieved_tkdn_pct,
        accepted_value=handover.accepted_value,
    )
    if shortfall is not None:
        flag = ContractFlag.objects.create(
            contract=contract,
            kind=FlagKind.TKDN_SHORTFALL,
            shortfall_pct=shortfall.points,
            shortfall_value=shortfall.value,
            detail={
                "offered_tkdn_pct": str(contract.offered_tkdn_pct),
                "achieved_tkdn_pct": str(handover.achieved_tkdn_pct),
                "accepted_value": str(handover.accepted_value),
                "handover": handover.number,
            },
            raised_at=now,
        )
        _audit_flag(flag, by=by)
        notifications.flag_raised(contract, flag)
    return handover


@transaction.atomic
def handover_acknowledge(*, contract: Contract, by: User) -> Handover:
    """The vendor acknowledges the signed BAST (once)."""
    authorize_vendor(contract=contract, by=by)
    handover = Handover.objects.select_for_update().filter(contract=contract).first()
    if handover is None:
        raise ValidationError(NO_HANDOVER, code="no_handover")
    if handover.vendor_acknowledged_at is not None:
        raise ValidationError(ACKNOWLEDGED_ALREADY, code="acknowledged")
    handover.vendor_acknowledged_by = by
    handover.vendor_acknowledged_at = timezone.now()
    handover.save(update_fields=["vendor_acknowledged_by", "vendor_acknowledged_at"])
    audit.record(
        actor=by,
        action=AuditAction.HANDOVER_ACKNOWLEDGED,
        obj=contract,
        summary=audit.summary_given(ACKNOWLEDGED_SUMMARY, number=handover.number),
        changes={"vendor_acknowledged_by": [None, by.email]},
    )
    notifications.handover_acknowledged(contract, handover)
    return handover


@transaction.atomic
def rating_answer(*, contract: Contract, by: User, answer: str) -> Rating:
    """The vendor answers its rating, once."""
    authorize_vendor(contract=contract, by=by)
    rating = Rating.objects.select_for_update().filter(contract=contract).first()
    if rating is None:
        raise ValidationError(NO_RATING, code="no_rating")
    if rating.vendor_answered_at is not None:
        raise ValidationError(ANSWERED_ALREADY, code="answered")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": ANSWER_REQUIRED}, code="required")
    rating.vendor_answer = answer
    rating.vendor_answered_by = by
    rating.vendor_answered_at = timezone.now()
    rating.save(update_fields=["vendor_answer", "vendor_answered_by", "vendor_answered_at"])
    audit.record(
        actor=by,
        action=AuditAction.RATING_ANSWERED,
        obj=contract,
        changes={"vendor_answer": ["", answer]},
    )
    notifications.rating_answered(contract, rating)
    return rating
