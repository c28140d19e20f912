import pytest
from django.urls import reverse

from procurement.models import POSITION_DUTIES, Position
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

HOME = reverse("procurement:home")


def test_it_shows_the_officers_opd_and_duties(login, officer):
    html = login(officer).get(HOME).content.decode()
    assert officer.officer.opd.name in html
    assert str(POSITION_DUTIES[Position.PPK]) in html


def test_it_lists_colleagues_of_the_same_opd_only(login, officer, other_officer):
    colleague = OfficerFactory(opd=officer.officer.opd, position=Position.POKJA).user
    html = login(officer).get(HOME).content.decode()
    assert colleague.email in html
    assert other_officer.email not in html
    assert other_officer.officer.opd.name not in html


@pytest.mark.parametrize("colleagues", [1, 15])
def test_its_query_count_does_not_grow_with_colleagues(
    login, officer, django_assert_num_queries, colleagues
):
    OfficerFactory.create_batch(colleagues, opd=officer.officer.opd)
    client = login(officer)
    # 1 user with vendor and OPD joined (and the navbar's unread count), 2 colleagues with
    # their users
    with django_assert_num_queries(2):
        assert client.get(HOME).status_code == 200
