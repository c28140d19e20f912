"""The open-data pages are public and read-only; drafts do not exist there."""

import json

import pytest
from django.conf import settings
from django.urls import reverse

from opendata import ocds
from tests.factories import PackageFactory
from tests.opendata.schema import validation_errors

pytestmark = pytest.mark.django_db


def test_it_explains_the_data_to_anyone(client, contracted):
    response = client.get(reverse("opendata:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Data terbuka pengadaan (OCDS)" in body
    assert reverse("opendata:download") in body
    assert reverse("opendata:download-year", args=[2026]) in body
    assert settings.OCDS_PREFIX in body


def test_anyone_downloads_the_full_package(client, contracted):
    response = client.get(reverse("opendata:download"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(b"".join(response.streaming_content))
    assert validation_errors(data) == []
    assert len(data["releases"]) == 4


def test_anyone_reads_one_package(client, contracted):
    package, _, _ = contracted
    response = client.get(reverse("opendata:package-json", args=[package.pk]))
    assert response.status_code == 200
    data = response.json()
    assert validation_errors(data) == []
    assert data["uri"].endswith(f"/open-data/paket/{package.pk}.json")
    (record,) = data["records"]
    assert record["ocid"] == ocds.ocid(package)
    assert len(record["releases"]) == 4
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["contracts"][0]["status"] == record["releases"][-1]["contracts"][0]["status"]
    assert compiled["awards"] and compiled["tender"]["id"]


def test_a_draft_is_not_found(client):
    package = PackageFactory()
    assert client.get(reverse("opendata:package-json", args=[package.pk])).status_code == 404


def test_the_json_endpoint_is_read_only(client, contracted):
    url = reverse("opendata:package-json", args=[contracted[0].pk])
    assert client.post(url).status_code == 405


def test_it_serves_our_extension(client):
    response = client.get(reverse("opendata:extension", args=["extension.json"]))
    assert response.status_code == 200
    extension = json.loads(b"".join(response.streaming_content))
    assert extension["schemas"] == ["release-schema.json"]
    assert client.get(reverse("opendata:extension", args=["settings.py"])).status_code == 404


def test_the_page_takes_one_query(client, contracted, django_assert_num_queries):
    with django_assert_num_queries(1):  # the fiscal years with published packages
        assert client.get(reverse("opendata:index")).status_code == 200


def test_one_package_takes_twelve_queries(client, contracted, django_assert_num_queries):
    url = reverse("opendata:package-json", args=[contracted[0].pk])
    # the package with its OPD, its items, events, opened bids, their vendors, their lines,
    # their evaluation results and the runs of those (8); its contract with its BAST,
    # deliveries, payments and achieved local content per item (4)
    with django_assert_num_queries(12):
        assert client.get(url).status_code == 200
