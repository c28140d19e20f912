"""Reads of the contracts app: the lists of an OPD's and a vendor's contracts (a fixed
number of queries whatever their length) and what a contract page shows."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from contracts import rules
from contracts.models import Contract, ContractLine, Delivery, DeliveryLine
from procurement.rules import BidLocalContent

ZERO = Decimal("0")


def _listed(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    return contracts.select_related("opd", "vendor", "package", "handover").order_by(
        "-signed_on", "-pk"
    )


def opd_contracts(opd_id: int) -> QuerySet[Contract]:
    return _listed(Contract.objects.filter(opd_id=opd_id))


def vendor_contracts(vendor_id: int) -> QuerySet[Contract]:
    return _listed(Contract.objects.filter(vendor_id=vendor_id))


def accepted_by_line(contract: Contract) -> dict[int, Decimal]:
    """Contract line id -> the quantity accepted so far (every delivery)."""
    rows = (
        DeliveryLine.objects.filter(delivery__contract=contract)
        .values("contract_line")
        .annotate(accepted=Sum("quantity_accepted"))
    )
    return {row["contract_line"]: row["accepted"] for row in rows}


def accepted_lines(contract: Contract) -> list[rules.AcceptedLine]:
    """Every accepted delivery line at its contract unit price, for the achieved TKDN."""
    return [
        rules.AcceptedLine(
            quantity_accepted=row.quantity_accepted,
            unit_price=row.contract_line.unit_price,
            tkdn_pct=row.tkdn_pct,
            bmp_pct=row.bmp_pct,
        )
        for row in DeliveryLine.objects.filter(delivery__contract=contract).select_related(
            "contract_line"
        )
    ]


@dataclass
class LineProgress:
    """A contract line as the contract page shows it: offered against delivered."""

    line: ContractLine
    delivered: Decimal = ZERO
    accepted: Decimal = ZERO
    deliveries: list[DeliveryLine] = field(default_factory=list)
    achieved: BidLocalContent | None = None

    @property
    def remaining(self) -> Decimal:
        return rules.remaining_quantity(
            contracted=self.line.quantity, accepted_before=[self.accepted]
        )

    @property
    def accepted_value(self) -> Decimal:
        return self.accepted * self.line.unit_price

    @property
    def delivered_as(self) -> list[tuple[str, str]]:
        """(product, certificate number) of what was delivered, each once, in order."""
        seen: dict[tuple[str, str], None] = {}
        for row in self.deliveries:
            number = row.tkdn_certificate.number if row.tkdn_certificate else ""
            seen.setdefault((row.product.name, number), None)
        return list(seen)


@dataclass
class ContractPage:
    contract: Contract
    lines: list[LineProgress]
    deliveries: list[Delivery]
    achieved: BidLocalContent

    @property
    def accepted_value(self) -> Decimal:
        return self.achieved.total

    @property
    def anything_accepted(self) -> bool:
        return self.achieved.total > 0

    @property
    def pending_deliveries(self) -> int:
        return sum(1 for d in self.deliveries if d.vendor_response == "pending")

    @property
    def disputed_deliveries(self) -> int:
        return sum(1 for d in self.deliveries if d.vendor_response == "disputed")


def contract_with_details(queryset: QuerySet[Contract]) -> QuerySet[Contract]:
    return queryset.select_related(
        "opd", "vendor", "package", "handover__signed_by", "handover__vendor_acknowledged_by"
    ).prefetch_related(
        Prefetch("lines", queryset=ContractLine.objects.select_related("product")),
        Prefetch(
            "deliveries",
            queryset=Delivery.objects.select_related(
                "recorded_by", "responded_by"
            ).prefetch_related(
                Prefetch(
                    "lines",
                    queryset=DeliveryLine.objects.select_related(
                        "product", "tkdn_certificate", "contract_line"
                    ),
                )
            ),
        ),
        "flags",
    )


def contract_page(contract: Contract) -> ContractPage:
    """The lines with what was delivered and accepted of each and its achieved TKDN, the
    deliveries, and the contract's achieved TKDN so far (the bid's formula). The contract
    comes from contract_with_details."""
    progress = {line.pk: LineProgress(line) for line in contract.lines.all()}
    deliveries = list(contract.deliveries.all())
    by_line: dict[int, list[rules.AcceptedLine]] = defaultdict(list)
    for delivery in deliveries:
        for row in delivery.lines.all():
            entry = progress[row.contract_line_id]
            entry.delivered += row.quantity_delivered
            entry.accepted += row.quantity_accepted
            entry.deliveries.append(row)
            by_line[row.contract_line_id].append(
                rules.AcceptedLine(
                    row.quantity_accepted, entry.line.unit_price, row.tkdn_pct, row.bmp_pct
                )
            )
    for line_id, accepted in by_line.items():
        progress[line_id].achieved = rules.achieved_local_content(accepted)
    achieved = rules.achieved_local_content(
        [row for accepted in by_line.values() for row in accepted]
    )
    return ContractPage(contract, list(progress.values()), deliveries, achieved)
