"""Writes of the contracts app (views and receivers call these)."""

from django.db import transaction

from accounts.models import User
from audit import services as audit
from audit.models import AuditAction
from contracts.copying import copy_contract
from contracts.models import Contract, ContractLine
from procurement.models import BidLine, Package


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
