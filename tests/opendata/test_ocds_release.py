"""The OCDS releases of a package: valid against OCDS 1.1 with the declared extensions,
and saying what the portal knows, no more."""

import json
from datetime import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings

from opendata import ocds
from procurement import services
from procurement.rules import Status
from tests.factories import PackageFactory, PackageItemFactory, VendorFactory
from tests.opendata.schema import validation_errors
from tests.procurement.conftest import pass_all_bids

pytestmark = pytest.mark.django_db


def _package_json(package) -> dict:
    fresh = ocds.published_package(package.pk)
    return ocds.release_package(packages=[fresh], uri="https://contoh.id/open-data/ocds.json")


def _releases(package) -> dict[str, dict]:
    return {r["tag"][0]: r for r in _package_json(package)["releases"]}


def test_a_contracted_package_validates(contracted):
    package, _, _ = contracted
    data = _package_json(package)
    assert validation_errors(data) == []
    assert [r["tag"] for r in data["releases"]] == [
        ["tender"],
        ["tenderUpdate"],
        ["award"],
        ["contract"],
    ]


def test_an_announced_package_validates(with_bids):
    package, _, _ = with_bids
    assert validation_errors(_package_json(package)) == []


def test_the_validator_rejects_bad_local_content(contracted):
    """The extension's schema is really applied: a TKDN as text is refused."""
    data = _package_json(contracted[0])
    data["releases"][2]["awards"][0]["localContent"]["tkdnPercentage"] = "71,3"
    assert validation_errors(data) != []


@override_settings(OCDS_PREFIX="ocds-abc123-")
def test_the_ocid_is_the_prefix_and_the_package_id(contracted):
    package, _, _ = contracted
    data = _package_json(package)
    assert {r["ocid"] for r in data["releases"]} == {f"ocds-abc123-pkt-{package.pk}"}
    assert len({r["id"] for r in data["releases"]}) == 4


def test_the_package_declares_its_extensions(contracted):
    data = _package_json(contracted[0])
    assert data["extensions"] == [
        ocds.BID_EXTENSION_URL,
        ocds.PARTY_SCALE_EXTENSION_URL,
        settings.SITE_URL + "/open-data/ekstensi/extension.json",
    ]
    assert data["version"] == "1.1"


def test_the_tender_says_what_is_bought(contracted):
    package, _, _ = contracted
    tender = _releases(package)["tender"]["tender"]
    assert tender["value"] == {"amount": 1350000000, "currency": "IDR"}
    assert tender["procurementMethod"] == "open"
    assert tender["mainProcurementCategory"] == "goods"
    assert [item["classification"] for item in tender["items"]] == [
        {"scheme": "KBLI", "id": "31001", "description": "KBLI 2020"}
    ] * 2
    assert tender["tenderPeriod"]["endDate"].endswith("+07:00")


def test_parties_have_their_roles_and_scale(contracted):
    package, winner, other = contracted
    releases = _releases(package)
    update = {p["id"]: p for p in releases["tenderUpdate"]["parties"]}
    assert update[f"opd-{package.opd_id}"]["roles"] == ["buyer", "procuringEntity"]
    assert update[f"penyedia-{other.vendor_id}"]["roles"] == ["tenderer"]
    assert update[f"penyedia-{other.vendor_id}"]["details"] == {"scale": "micro"}
    award_parties = {p["id"]: p for p in releases["award"]["parties"]}
    assert award_parties[f"penyedia-{winner.vendor_id}"]["roles"] == ["tenderer", "supplier"]


@pytest.mark.parametrize(
    ("capital", "scale"),
    [
        (Decimal("750000000"), "micro"),
        (Decimal("3000000000"), "sme"),
        (Decimal("8000000000"), "sme"),
        (Decimal("20000000000"), "large"),
    ],
)
def test_the_scale_follows_the_vendor(capital, scale):
    vendor = VendorFactory(capital=capital)
    assert ocds._vendor_party(vendor, ["tenderer"])["details"] == {"scale": scale}


def test_the_award_is_the_winning_bid_with_its_local_content(contracted):
    package, winner, _ = contracted
    award = _releases(package)["award"]["awards"][0]
    assert award["value"] == {"amount": int(winner.price), "currency": "IDR"}
    assert award["status"] == "active"
    assert award["suppliers"] == [
        {"id": f"penyedia-{winner.vendor_id}", "name": winner.vendor.name}
    ]
    assert award["relatedBids"] == [f"penawaran-{winner.pk}"]
    local = award["localContent"]
    assert local["tkdnPercentage"] == float(winner.tkdn_pct)
    assert local["tkdnBmpPercentage"] == float(winner.tkdn_bmp_pct)
    numbers = {line.certificate_number for line in winner.lines.all()}
    assert {line["tkdnCertificateNumber"] for line in local["lines"]} == numbers
    assert all("/SJ-IND.8/TKDN/" in n for n in numbers)


def test_each_opened_bid_is_published_with_its_local_content(contracted):
    package, winner, other = contracted
    details = {b["id"]: b for b in _releases(package)["tenderUpdate"]["bids"]["details"]}
    assert set(details) == {f"penawaran-{winner.pk}", f"penawaran-{other.pk}"}
    bid = details[f"penawaran-{other.pk}"]
    assert bid["value"] == {"amount": int(other.price), "currency": "IDR"}
    assert bid["tenderers"] == [{"id": f"penyedia-{other.vendor_id}", "name": other.vendor.name}]
    assert bid["localContent"]["tkdnPercentage"] == float(other.tkdn_pct)
    assert bid["localContent"]["bmpPercentage"] == float(other.bmp_pct)
    assert details[f"penawaran-{winner.pk}"]["status"] == "valid"  # as evaluated


def test_opened_bids_are_pending_until_evaluated(opened):
    package, _, _ = opened
    details = _releases(package)["tenderUpdate"]["bids"]["details"]
    assert [b["status"] for b in details] == ["pending", "pending"]


def test_the_contract_has_its_value_and_signing_date(contracted):
    package, _, _ = contracted
    contract = _releases(package)["contract"]["contracts"][0]
    assert contract["id"] == "KTR/027/DISDIK/2026"
    assert contract["awardID"] == f"{ocds.ocid(package)}-award"
    assert contract["value"] == {"amount": int(package.contract_value), "currency": "IDR"}
    assert contract["dateSigned"] == "2026-03-02T00:00:00+07:00"


def test_every_date_has_a_time_zone(contracted):
    text = json.dumps(_package_json(contracted[0]))
    data = json.loads(text)
    dates = [r["date"] for r in data["releases"]] + [data["publishedDate"]]
    assert all(datetime.fromisoformat(d).tzinfo is not None for d in dates)


def test_a_cancelled_package_says_so():
    package = PackageFactory(status=Status.CANCELLED, cancel_reason="Anggaran dialihkan.")
    PackageItemFactory(package=package)
    data = _package_json(package)
    assert validation_errors(data) == []
    update = data["releases"][1]
    assert update["tender"]["status"] == "cancelled"
    assert update["tender"]["statusDetails"] == "Anggaran dialihkan."
    assert "bids" not in update


def test_drafts_have_no_releases():
    package = PackageFactory()
    assert ocds.package_releases(package) == []
    assert not ocds.published_packages().filter(pk=package.pk).exists()


def test_the_validator_checks_dates(contracted):
    data = _package_json(contracted[0])
    data["releases"][0]["date"] = "2026-03-02 10:00"  # no T, no offset
    assert any("date-time" in error for error in validation_errors(data))


def test_a_release_gets_a_new_id_when_the_package_moves_on(opened, ppk):
    package, _, _ = opened
    prefix = ocds.ocid(package)
    before = [r["id"] for r in _package_json(package)["releases"]]
    pass_all_bids(package)
    services.package_winner_announce(package=package, by=ppk)
    after = [r["id"] for r in _package_json(package)["releases"]]
    assert before == [f"{prefix}-tender", f"{prefix}-update-evaluation"]  # closing starts it
    assert after == [f"{prefix}-tender", f"{prefix}-update-objection", f"{prefix}-award-pending"]


def test_release_ids_name_the_stage(contracted):
    package, _, _ = contracted
    prefix = ocds.ocid(package)
    assert [r["id"] for r in _package_json(package)["releases"]] == [
        f"{prefix}-tender",
        f"{prefix}-update-contracted",
        f"{prefix}-award-active",
        f"{prefix}-contract",
    ]


def test_our_merge_rules_are_those_of_the_ocds_schema():
    """The portal does not ship the OCDS schema, so it keeps the merge rules ocdsmerge would
    read from it; they must be the same."""
    from ocdsmerge.merge import get_merge_rules

    from tests.opendata.schema import _standard_file

    assert get_merge_rules(_standard_file("release-schema.json")) == ocds.MERGE_RULES
