"""Who hears of a contract's steps: the vendor's users (every change that concerns them), or
the PPK who recorded the step (the vendor's answers). Mail and the portal's notification go
through accounts, in each reader's language."""

from django.urls import reverse

from accounts import services as account_services
from contracts.models import Contract, ContractFlag, Delivery, Handover, Rating


def _vendor_link(contract: Contract) -> str:
    return reverse("contracts:vendor-contract", args=[contract.pk])


def _officer_link(contract: Contract) -> str:
    return reverse("contracts:officer-contract", args=[contract.pk])


def _tell_vendor(contract: Contract, template: str, **context) -> None:
    users = [m.user for m in contract.vendor.members.select_related("user")]
    account_services.notify(
        users=users,
        template=f"contracts/{template}",
        context={"contract": contract, **context},
        link=_vendor_link(contract),
    )


def _tell_officer(contract: Contract, user, template: str, **context) -> None:
    account_services.notify(
        users=[user],
        template=f"contracts/{template}",
        context={"contract": contract, **context},
        link=_officer_link(contract),
    )


def delivery_recorded(contract: Contract, delivery: Delivery) -> None:
    _tell_vendor(contract, "delivery_recorded", delivery=delivery)


def delivery_answered(contract: Contract, delivery: Delivery) -> None:
    _tell_officer(contract, delivery.recorded_by, "delivery_answered", delivery=delivery)


def handover_signed(contract: Contract, handover: Handover) -> None:
    _tell_vendor(contract, "handover_signed", handover=handover)


def vendor_rated(contract: Contract, rating: Rating) -> None:
    _tell_vendor(contract, "vendor_rated", rating=rating)


def flag_raised(contract: Contract, flag: ContractFlag) -> None:
    _tell_vendor(contract, "flag_raised", flag=flag)


def handover_acknowledged(contract: Contract, handover: Handover) -> None:
    _tell_officer(contract, handover.signed_by, "handover_acknowledged", handover=handover)


def rating_answered(contract: Contract, rating: Rating) -> None:
    _tell_officer(contract, rating.rated_by, "rating_answered", rating=rating)
