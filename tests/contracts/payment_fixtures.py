"""A handed-over contract for the payment tests: the contracts conftest's Rp120,000,000
contract, its BAST signed ten days ago."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from contracts.models import Contract, ContractStatus, Handover


def hand_over(contract: Contract, *, by, days_ago: int = 10, number: str = "") -> Handover:
    signed_on = timezone.localdate() - timedelta(days=days_ago)
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.HANDED_OVER)
    contract.status = ContractStatus.HANDED_OVER
    return Handover.objects.create(
        contract=contract,
        number=number or f"BAST/{contract.opd.code}/{signed_on.year}/{contract.pk}",
        signed_on=signed_on,
        signed_by=by,
        signed_at=timezone.now(),
        accepted_value=contract.value,
        achieved_tkdn_pct=Decimal("55.00"),
        achieved_tkdn_bmp_pct=Decimal("64.17"),
    )
