"""OCDS `implementation` of the portal's contracts: a transaction per payment, a milestone per
delivery and one for the handover (BAST), and the local content achieved at the BAST in our
extension (docs/ocds-extension/).

Read as plain values for a batch of packages (four queries per batch whatever its size), so
that the export can call it once per chunk of packages; `implementation_release` builds the
release of one contract from those values. The release's id carries the number of
deliveries, whether the BAST is signed and the number of payments, so that a release never
changes once published: each new step adds a release."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum

from contracts.models import Contract, ContractStatus, Delivery, DeliveryLine, Payment

PERCENT = Decimal("0.01")
_WEIGHTED = DecimalField(max_digits=30, decimal_places=6)


@dataclass
class ContractValues:
    """What the implementation release needs of one contract, as plain values."""

    contract_id: int
    package_id: int
    status: str
    vendor_id: int
    vendor_name: str
    handover: dict | None = None
    deliveries: list[dict] = field(default_factory=list)
    payments: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)

    @property
    def has_steps(self) -> bool:
        return bool(self.handover or self.deliveries or self.payments)


def contract_values(package_ids: Iterable[int]) -> dict[int, ContractValues]:
    """The contracts of these packages, by package id, with their deliveries, BAST, payments
    and the achieved local content per package item: four queries."""
    ids = list(package_ids)
    if not ids:
        return {}
    contracts = {
        row["pk"]: ContractValues(
            contract_id=row["pk"],
            package_id=row["package_id"],
            status=row["status"],
            vendor_id=row["vendor_id"],
            vendor_name=row["vendor__name"],
            handover=(
                {
                    "number": row["handover__number"],
                    "signed_on": row["handover__signed_on"],
                    "signed_at": row["handover__signed_at"],
                    "accepted_value": row["handover__accepted_value"],
                    "tkdn_pct": row["handover__achieved_tkdn_pct"],
                    "tkdn_bmp_pct": row["handover__achieved_tkdn_bmp_pct"],
                }
                if row["handover__number"]
                else None
            ),
        )
        for row in Contract.objects.filter(package_id__in=ids).values(
            "pk",
            "package_id",
            "status",
            "vendor_id",
            "vendor__name",
            "handover__number",
            "handover__signed_on",
            "handover__signed_at",
            "handover__accepted_value",
            "handover__achieved_tkdn_pct",
            "handover__achieved_tkdn_bmp_pct",
        )
    }
    for row in (
        Delivery.objects.filter(contract_id__in=contracts)
        .values("contract_id", "number", "delivered_on", "recorded_at")
        .order_by("contract_id", "number")
    ):
        contracts[row["contract_id"]].deliveries.append(row)
    for row in (
        Payment.objects.filter(invoice__contract_id__in=contracts)
        .values(
            "pk",
            "invoice__contract_id",
            "invoice__number",
            "paid_on",
            "amount",
            "tax_withheld",
            "recorded_at",
        )
        .order_by("paid_on", "pk")
    ):
        contracts[row["invoice__contract_id"]].payments.append(row)
    value = ExpressionWrapper(
        F("quantity_accepted") * F("contract_line__unit_price"), output_field=_WEIGHTED
    )
    for row in (
        DeliveryLine.objects.filter(delivery__contract_id__in=contracts)
        .values("delivery__contract_id", "contract_line__item_id")
        .annotate(
            accepted=Sum(value),
            tkdn=Sum(ExpressionWrapper(value * F("tkdn_pct"), output_field=_WEIGHTED)),
            bmp=Sum(ExpressionWrapper(value * F("bmp_pct"), output_field=_WEIGHTED)),
        )
        .order_by("delivery__contract_id", "contract_line__item_id")
    ):
        contracts[row["delivery__contract_id"]].lines.append(row)
    return {c.package_id: c for c in contracts.values()}


def _weighted(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return (part / whole).quantize(PERCENT, rounding=ROUND_HALF_UP)


def achieved_local_content(values: ContractValues, number) -> dict | None:
    """The extension's object for what was delivered: the BAST's value-weighted TKDN and
    TKDN + BMP, and each item's over its accepted quantities."""
    handover = values.handover
    if handover is None:
        return None
    return {
        "tkdnPercentage": number(handover["tkdn_pct"]),
        "bmpPercentage": number(handover["tkdn_bmp_pct"] - handover["tkdn_pct"]),
        "tkdnBmpPercentage": number(handover["tkdn_bmp_pct"]),
        "lines": [
            {
                "relatedItem": f"item-{line['contract_line__item_id']}",
                "tkdnPercentage": number(_weighted(line["tkdn"], line["accepted"])),
                "bmpPercentage": number(_weighted(line["bmp"], line["accepted"])),
            }
            for line in values.lines
            if line["contract_line__item_id"] is not None and line["accepted"]
        ],
    }


def release_stage(values: ContractValues) -> str:
    """The part of the release id that says how far the contract has gone."""
    return (
        f"implementation-d{len(values.deliveries)}-b{int(values.handover is not None)}"
        f"-p{len(values.payments)}"
    )


def implementation(values: ContractValues, *, buyer: dict, iso, money, number, ocid: str) -> dict:
    """The contract's `implementation`: a transaction per payment (its gross amount; the tax
    withheld in our extension), a milestone per delivery and one for the BAST."""
    supplier = {"id": f"penyedia-{values.vendor_id}", "name": values.vendor_name}
    milestones = [
        {
            "id": f"{ocid}-pengiriman-{row['number']}",
            "title": f"Pengiriman {row['number']}",
            "type": "delivery",
            "status": "met",
            "dateMet": iso(row["delivered_on"]),
            "dateModified": iso(row["recorded_at"]),
        }
        for row in values.deliveries
    ]
    if values.handover is not None:
        milestones.append(
            {
                "id": f"{ocid}-bast",
                "title": f"Berita Acara Serah Terima {values.handover['number']}",
                "type": "approval",
                "code": "BAST",
                "status": "met",
                "dateMet": iso(values.handover["signed_on"]),
                "dateModified": iso(values.handover["signed_at"]),
            }
        )
    transactions = [
        {
            "id": f"pembayaran-{row['pk']}",
            "date": iso(row["paid_on"]),
            "value": money(row["amount"]),
            "taxWithheld": money(row["tax_withheld"]),
            "payer": buyer,
            "payee": supplier,
            "invoiceNumber": row["invoice__number"],
        }
        for row in values.payments
    ]
    result: dict = {}
    if transactions:
        result["transactions"] = transactions
    if milestones:
        result["milestones"] = milestones
    return result


def latest_step(values: ContractValues, *, not_before: datetime) -> datetime:
    """When the portal learned of the contract's latest step (a payment, the BAST or a
    delivery recorded), and never before the contract itself."""
    moments = [row["recorded_at"] for row in values.payments]
    if values.handover is not None:
        moments.append(values.handover["signed_at"])
    moments += [row["recorded_at"] for row in values.deliveries]
    return max([not_before, *moments])


def contract_status(values: ContractValues) -> str:
    """OCDS contractStatus: a contract handed over and paid in full has come to a close."""
    return "terminated" if values.status == ContractStatus.PAID else "active"
