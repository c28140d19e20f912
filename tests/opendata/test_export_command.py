"""`manage.py export_ocds` writes a valid release package, of one fiscal year if asked,
with a constant number of queries however many packages there are."""

import io
import json

import pytest
from django.core.management import call_command

from opendata import ocds
from procurement.rules import Status
from tests.factories import PackageFactory, PackageItemFactory
from tests.opendata.schema import validation_errors

pytestmark = pytest.mark.django_db


def _announced(year: int, count: int = 1) -> list:
    packages = []
    for _ in range(count):
        package = PackageFactory(status=Status.ANNOUNCED, fiscal_year=year)
        PackageItemFactory(package=package)
        packages.append(package)
    return packages


def test_it_writes_a_valid_package_of_every_published_package(contracted, tmp_path):
    package, _, _ = contracted
    other = _announced(2025)[0]
    PackageFactory()  # a draft: never published
    output = tmp_path / "ocds.json"
    stdout = io.StringIO()
    call_command("export_ocds", "--output", str(output), stdout=stdout)

    data = json.loads(output.read_text())
    assert validation_errors(data) == []
    assert {r["ocid"] for r in data["releases"]} == {ocds.ocid(package), ocds.ocid(other)}
    assert "5 rilis ditulis" in stdout.getvalue()
    assert not (tmp_path / "ocds.json.part").exists()


def test_it_filters_by_fiscal_year(tmp_path):
    in_2025 = _announced(2025, 2)
    _announced(2026)
    output = tmp_path / "ocds-2025.json"
    call_command("export_ocds", "--output", str(output), "--year", "2025", stdout=io.StringIO())

    data = json.loads(output.read_text())
    assert validation_errors(data) == []
    assert sorted(r["ocid"] for r in data["releases"]) == sorted(ocds.ocid(p) for p in in_2025)
    assert data["uri"].endswith("/open-data/ocds-2025.json")


def _export(year=None) -> str:
    out = io.StringIO()
    ocds.write_release_package(out, uri="https://contoh.id/ocds.json", year=year)
    return out.getvalue()


@pytest.mark.parametrize("size", [1, 6])
def test_the_export_takes_nine_queries_whatever_its_size(opened, size, django_assert_num_queries):
    _announced(2026, size)
    # 1 the published ids; then per chunk: 2 packages with their OPD, 3 items, 4 events,
    # 5 opened bids, 6 their vendors, 7 bid lines, 8 the bids' evaluation results, 9 the
    # evaluation runs (which succeeded, and when); no contract among them, so none of the
    # four queries of contracts (tests/opendata/test_ocds_implementation.py)
    with django_assert_num_queries(9):
        text = _export()
    assert len(json.loads(text)["releases"]) == size + 2


def test_each_chunk_takes_eight_queries_at_most(opened, django_assert_max_num_queries):
    _announced(2026, 5)
    out = io.StringIO()
    # 6 packages in chunks of 2: the ids, then three chunks of eight queries at most (four
    # for a chunk without an opened bid: no vendors, lines or results to read).
    with django_assert_max_num_queries(1 + 3 * 8):
        ocds.write_release_package(out, uri="https://contoh.id/ocds.json", chunk_size=2)
    assert json.loads(out.getvalue())["releases"] == json.loads(_export())["releases"]


def test_it_warns_when_there_is_nothing_to_publish(tmp_path):
    from opendata.management.commands.export_ocds import NO_RELEASES

    stderr = io.StringIO()
    output = tmp_path / "kosong.json"
    call_command("export_ocds", "--output", str(output), "--year", "1999", stderr=stderr)
    assert json.loads(output.read_text())["releases"] == []
    assert str(NO_RELEASES) in stderr.getvalue()
