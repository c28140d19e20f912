"""The officer's panel on the package page is kept as HTML between changes: its forms still
carry the officer's own token, and an action shows at once."""

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from p3dn_portal.lib.confirm import CONFIRMED
from procurement.rules import Status
from tests.procurement.conftest import past_deadline

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _page(client, package) -> str:
    return client.get(reverse("procurement:package-detail", args=[package.pk])).content.decode()


def test_a_form_of_the_cached_panel_works_and_its_effect_shows(ppk, announced):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ppk)
    _page(client, announced)
    past_deadline(announced)  # the panel now offers to close the bidding
    _page(client, announced)
    html_again = _page(client, announced)  # from the cache
    close = reverse("procurement:officer-package-close", args=[announced.pk])
    assert f'action="{close}"' in html_again
    token = TOKEN.findall(html_again)[-1]
    response = client.post(close, {"csrfmiddlewaretoken": token} | CONFIRMED)
    assert response.status_code == 302  # not 403: the token is the officer's own
    announced.refresh_from_db()
    assert announced.status != Status.ANNOUNCED
    assert f'action="{close}"' not in _page(client, announced)


def test_the_panel_changes_at_the_deadline_without_any_write(login, ppk, announced):
    client = login(ppk)
    close = reverse("procurement:officer-package-close", args=[announced.pk])
    assert f'action="{close}"' not in _page(client, announced)  # bidding still open
    with time_machine.travel(announced.closes_at):
        assert f'action="{close}"' in _page(client, announced)
