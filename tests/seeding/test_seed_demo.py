import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Role, User
from matching import selectors
from matching.models import Event, Meeting, RunStatus, Suggestion
from matching.rules import EventStatus
from procurement.models import OPD, Officer, Position
from seeding.demo import DEMO_PASSWORD, OFFICERS, OPDS, VENDORS
from seeding.demo_matching import EXHIBITORS, NEEDS, OPEN_EVENT, RUNNING_EVENT
from vendors.models import Vendor

pytestmark = pytest.mark.django_db


def test_it_loads_the_demo_data_once_however_often_it_runs(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (
        User.objects.count(),
        Vendor.objects.count(),
        OPD.objects.count(),
        Officer.objects.count(),
    )
    call_command("seed_demo")
    assert (
        User.objects.count(),
        Vendor.objects.count(),
        OPD.objects.count(),
        Officer.objects.count(),
    ) == counts
    assert counts[1:] == (len(VENDORS), len(OPDS), len(OFFICERS))


def test_it_prints_one_working_login_per_role(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    out = capsys.readouterr().out
    roles = set()
    for user in User.objects.all():
        if user.email in out:
            assert user.check_password(DEMO_PASSWORD)
            roles.add(user.role)
    assert roles == {Role.ADMIN, Role.OFFICER, Role.VENDOR}


def test_it_has_every_officer_position_and_vendors_beyond_jakarta(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    assert set(Officer.objects.values_list("position", flat=True)) == set(Position.values)
    cities = set(Vendor.objects.values_list("city", flat=True))
    for place in ("Jakarta", "Bogor", "Tangerang", "Sidoarjo", "Pontianak"):
        assert any(place in city for city in cities), place


def test_it_refuses_to_seed_a_production_database(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert User.objects.count() == 0


def test_it_loads_a_running_business_matching_event_and_one_open_for_registration(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    running = Event.objects.get(name=RUNNING_EVENT)
    assert running.status == EventStatus.RUNNING
    figures = selectors.event_figures(event=running)
    assert (figures.exhibitors_accepted, figures.buyers) == (len(EXHIBITORS), len(NEEDS))
    assert figures.pending >= 1 and figures.declined >= 1 and figures.no_show >= 1
    assert figures.scheduled == figures.accepted  # every agreed meeting has a slot
    assert figures.held >= 1 and figures.interest_value > 0
    assert figures.awarded == 1  # the meeting with the exhibitor that won the linked package
    assert Suggestion.objects.filter(need__participant__event=running).exists()
    assert running.schedule_runs.get().status == RunStatus.DONE
    assert running.days.filter(day=timezone.localdate()).exists()  # the desk works today
    opened = Event.objects.get(name=OPEN_EVENT)
    assert opened.status == EventStatus.REGISTRATION
    assert selectors.event_figures(event=opened).exhibitors_waiting >= 1

    counts = (Event.objects.count(), Meeting.objects.count(), Suggestion.objects.count())
    call_command("seed_demo")
    assert (Event.objects.count(), Meeting.objects.count(), Suggestion.objects.count()) == counts


def test_it_loads_a_blacklisted_vendor_whose_bid_falls_at_evaluation(settings):
    from procurement import selectors as procurement_selectors
    from procurement.models import Package
    from procurement.reasons import reasons_display
    from seeding.demo_procurement import BLACKLIST_REFERENCE, BLACKLIST_RUP_CODE

    settings.DEBUG = True
    call_command("seed_demo")
    vendor = Vendor.objects.get(name="CV Kaos Olahraga Ciracas")
    assert vendor.is_blacklisted_on(timezone.localdate())
    package = Package.objects.get(rup_code=BLACKLIST_RUP_CODE)
    run = procurement_selectors.current_run(package)
    assert run.final
    fallen = run.results.get(bid__vendor=vendor)
    assert (fallen.eligible, fallen.rank) == (False, None)
    assert any(BLACKLIST_REFERENCE in text for text in reasons_display(fallen.reasons))
    assert run.results.get(rank=1).bid.vendor.name == "CV Garmen Cakung Mandiri"


def test_it_loads_contracts_paid_on_time_late_and_in_part(settings):
    from contracts.models import Contract, ContractStatus
    from contracts.payment_selectors import contract_payments
    from seeding.demo_payments import LATE_RUP_CODE, ON_TIME_RUP_CODE, PARTLY_PAID_RUP_CODE

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # twice: still one invoice each
    figures = {}
    for code in (ON_TIME_RUP_CODE, LATE_RUP_CODE, PARTLY_PAID_RUP_CODE):
        contract = Contract.objects.select_related("opd", "handover").get(package__rup_code=code)
        assert contract.invoices.count() == 1
        figures[code] = (contract.status, contract_payments(contract))
    status, on_time = figures[ON_TIME_RUP_CODE]
    assert status == ContractStatus.PAID
    assert (on_time.days_to_payment, on_time.within_target) == (7, True)
    status, late = figures[LATE_RUP_CODE]
    assert status == ContractStatus.PAID
    assert (late.days_to_payment, late.within_target) == (30, False)
    status, partly = figures[PARTLY_PAID_RUP_CODE]
    assert status == ContractStatus.HANDED_OVER
    assert 0 < partly.balance < partly.value
