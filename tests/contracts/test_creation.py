"""The contract is written when procurement records it (its signal, same transaction), and
by the data migration for packages contracted before."""

from decimal import Decimal
from importlib import import_module

from django.apps import apps as global_apps

from audit.models import AuditAction, AuditEntry
from contracts.models import Contract, ContractStatus


def test_the_contract_and_its_lines_follow_the_winning_bid(contracted):
    package, winner = contracted

    contract = package.contract
    assert (contract.number, contract.signed_on.isoformat()) == (
        "KTR/027/DISDIK/2026",
        "2026-03-02",
    )
    assert (contract.opd, contract.vendor, contract.status) == (
        package.opd,
        winner.vendor,
        ContractStatus.SIGNED,
    )
    assert contract.value == package.contract_value == winner.price
    assert (contract.offered_tkdn_pct, contract.offered_tkdn_bmp_pct) == (
        winner.tkdn_pct,
        winner.tkdn_bmp_pct,
    )
    assert contract.vendor_small_business == winner.vendor.is_umk
    lines = list(contract.lines.all())
    bid_lines = list(winner.lines.order_by("item__position"))
    assert [
        (line.item_id, line.product_id, line.quantity, line.unit_price, line.offered_tkdn_pct)
        for line in lines
    ] == [(b.item_id, b.product_id, b.item.quantity, b.unit_price, b.tkdn_pct) for b in bid_lines]
    assert sum(line.value for line in lines) == contract.value
    entry = AuditEntry.objects.get(action=AuditAction.CONTRACT_CREATED)
    assert (entry.object_id, entry.package_id) == (contract.pk, package.pk)


def test_the_data_migration_writes_the_missing_contracts_once(contracted):
    package, winner = contracted
    Contract.objects.all().delete()
    migration = import_module("contracts.migrations.0002_contracts_of_contracted_packages")

    migration.forwards(global_apps, None)
    migration.forwards(global_apps, None)

    contract = Contract.objects.get()
    assert (contract.package_id, contract.vendor_id, contract.value) == (
        package.pk,
        winner.vendor_id,
        winner.price,
    )
    assert contract.lines.count() == 2
    assert contract.offered_tkdn_pct > Decimal("0")
