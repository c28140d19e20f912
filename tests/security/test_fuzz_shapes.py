"""Shapes of malformed requests the other fuzz tests do not generate, from the security
review's 1,740 requests (39 were server errors): Host headers, the admin lists' date
hierarchy, over-long sign-in fields. Each must get an answer (a 400 or the form's error),
never a server error (the test client re-raises a view's exception)."""

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.forms import EMAIL_TOO_LONG
from tests import factories
from tests.otp import sign_in_with_otp
from tests.security import fuzzing

pytestmark = pytest.mark.django_db

HOSTS = st.one_of(
    st.sampled_from(
        [
            "evil.example",
            "p3dn.example:99999",
            "p3dn.example:-1",
            "[::1",
            "p3dn.example@evil.example",
            "p3dn.example\r\nX-Injected: 1",
            "",
            " ",
            "a" * 300,
            "xn--p3dn-.example",
            "p3dn.example..",
        ]
    ),
    st.text(st.characters(codec="latin-1"), max_size=80),
)


@pytest.fixture
def production_hosts(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["p3dn.example"]
    settings.SECURE_SSL_REDIRECT = False


@fuzzing.FUZZ
@given(host=HOSTS)
@example(host="evil.example")
def test_no_host_header_is_a_server_error(client, production_hosts, host):
    for url in ("/", reverse("accounts:login"), reverse("procurement:public-packages")):
        response = client.get(url, HTTP_HOST=host)
        assert response.status_code in (200, 302, 400), (host, response.status_code)


def test_an_unknown_host_gets_the_400_page_with_what_to_do(client, production_hosts):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "periksa alamat situsnya" in response.content.decode()


DATE_PARTS = st.one_of(
    st.sampled_from(["999999999999", "9999", "10000", "0", "-1", "00", "2026", "1", "13", "32"]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.text(max_size=12),
)
DATE_HIERARCHY_ADMINS = sorted(
    (model for model, model_admin in admin.site._registry.items() if model_admin.date_hierarchy),
    key=lambda model: model._meta.label,
)


@pytest.fixture
def superuser_client(client):
    return sign_in_with_otp(client, factories.UserFactory(is_staff=True, is_superuser=True))


@pytest.mark.parametrize("model", DATE_HIERARCHY_ADMINS, ids=lambda m: m._meta.label_lower)
@fuzzing.FUZZ
@given(year=DATE_PARTS, month=DATE_PARTS, day=DATE_PARTS)
@example(year="999999999999", month="1", day="1")
@example(year="9999", month="12", day="31")
def test_no_date_hierarchy_value_is_a_server_error(superuser_client, model, year, month, day):
    field = admin.site._registry[model].date_hierarchy
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    query = {f"{field}__year": year, f"{field}__month": month, f"{field}__day": day}
    with transaction.atomic():
        response = superuser_client.get(url, query)
        transaction.set_rollback(True)
    assert response.status_code in (200, 302, 400), (query, response.status_code)


@fuzzing.FUZZ
@given(
    username=st.one_of(st.text(min_size=255, max_size=3000), st.just("a" * 300 + "@contoh.id")),
    password=st.text(max_size=5000),
)
def test_over_long_sign_in_fields_are_the_forms_error(client, username, password):
    with transaction.atomic():
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": password}
        )
        recorded = list(AccessAttempt.objects.values_list("username", flat=True))
        transaction.set_rollback(True)
    assert response.status_code == 200
    if len(username.strip()) > 254 and "\x00" not in username:
        assert response.context["form"].errors["username"] == [str(EMAIL_TOO_LONG)]
    # An over-long email is refused before the sign-in is tried: django-axes records none.
    assert all(len(recorded_name) <= 254 for recorded_name in recorded)


@fuzzing.FUZZ
@given(email=st.text(min_size=255, max_size=3000))
def test_an_over_long_email_to_reset_a_password_is_the_forms_error(client, email):
    response = client.post(reverse("accounts:password-reset"), {"email": email})
    assert response.status_code == 200
