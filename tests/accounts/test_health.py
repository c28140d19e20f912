import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_reports_every_service_up(client, redis_service):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "bid_sealing_keys": "ok"},
        "down": [],
    }


def test_it_names_redis_when_it_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["redis"]
    assert body["checks"]["database"] == "ok"


def test_it_is_public_and_never_cached(client, redis_service):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
