import pytest

from matching.rules import EventStatus
from tests.matching.factories import buyer_create, event_create, exhibitor_create


@pytest.fixture
def event(db):
    return event_create(status=EventStatus.REGISTRATION)


@pytest.fixture
def exhibitor(event, vendor_owner):
    """vendor_owner's company, accepted as an exhibitor."""
    return exhibitor_create(event, member=vendor_owner.vendor_membership)


@pytest.fixture
def buyer(event, officer):
    """officer, registered as a buyer with one need."""
    return buyer_create(event, officer=officer.officer)


@pytest.fixture
def other_exhibitor(event, outsider_vendor):
    return exhibitor_create(event, member=outsider_vendor.vendor_membership)


@pytest.fixture
def other_buyer(event, other_officer):
    return buyer_create(event, officer=other_officer.officer)
