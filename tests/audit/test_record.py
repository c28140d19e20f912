"""The helper every service calls: values kept readably, rows only inside the write's
transaction, always saying who or which job, and never updated or deleted afterwards."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import translation

from audit import services as audit
from audit.models import AuditAction, AuditEntry, SystemJob
from procurement.rules import Status
from tests.factories import PackageFactory

pytestmark = pytest.mark.django_db


def test_values_are_kept_readably():
    moment = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)
    assert audit.readable(Decimal("1050000000.00")) == "1050000000.00"
    assert audit.readable(date(2026, 3, 1)) == "2026-03-01"
    assert audit.readable(moment) == "2026-03-01T09:30:00+07:00"  # ISO, in Jakarta time
    assert audit.readable(Status.ANNOUNCED) == "announced"  # a choice as its stored value
    assert audit.readable([Decimal("1.5"), None, True]) == ["1.5", None, True]


def test_diff_keeps_only_the_fields_that_changed():
    assert audit.diff({"a": 1, "b": "x"}, {"a": 1, "b": "y", "c": None}) == {"b": ["x", "y"]}
    assert audit.diff({}, {"a": 1}) == {"a": [None, 1]}


def test_a_row_records_the_actor_the_object_and_a_summary(officer):
    package = PackageFactory(created_by=officer)
    entry = audit.record(
        actor=officer,
        action=AuditAction.PACKAGE_ANNOUNCED,
        obj=package,
        changes={"status": [Status.DRAFT, Status.ANNOUNCED]},
    )
    entry.refresh_from_db()
    assert (entry.actor, entry.actor_label, entry.job) == (officer, officer.email, "")
    assert (entry.object_type, entry.object_id, entry.package_id) == (
        "procurement.package",
        package.pk,
        package.pk,
    )
    assert entry.object_label == str(package)
    assert entry.changes == {"status": ["draft", "announced"]}
    # Choice values read as their labels, in the portal's language (audit.display).
    assert entry.summary == "status: Draf → Diumumkan, menerima penawaran"
    assert entry.at.tzinfo is not None


def test_a_row_without_an_actor_names_its_job(officer):
    package = PackageFactory(created_by=officer)
    with pytest.raises(ValueError, match="background job"):
        audit.record(actor=None, action=AuditAction.PACKAGE_CLOSED, obj=package)
    entry = audit.record(
        actor=None,
        job=SystemJob.PACKAGES_CLOSE_DUE,
        action=AuditAction.PACKAGE_CLOSED,
        obj=package,
    )
    assert entry.who == "Penutupan otomatis pada batas akhir penawaran"
    # And the database holds the same rule.
    with pytest.raises(IntegrityError, match="audit_actor_or_job"), transaction.atomic():
        AuditEntry.objects.create(
            action=AuditAction.PACKAGE_CLOSED,
            object_type="procurement.package",
            object_id=package.pk,
            object_label="x",
        )


@pytest.mark.django_db(transaction=True)
def test_a_row_is_written_only_inside_the_transaction_of_its_write(officer):
    package = PackageFactory(created_by=officer)
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit.record(actor=officer, action=AuditAction.PACKAGE_EDITED, obj=package)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_auditentry SET note = 'diubah'", "DELETE FROM audit_auditentry"],
)
def test_the_database_refuses_to_update_or_delete_a_row(officer, statement):
    package = PackageFactory(created_by=officer)
    audit.record(actor=officer, action=AuditAction.PACKAGE_EDITED, obj=package, note="asli")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEntry.objects.get().note == "asli"


def _announced(officer, changes: dict, **fields) -> AuditEntry:
    package = PackageFactory(created_by=officer)
    with transaction.atomic():
        return audit.record(
            actor=officer,
            action=AuditAction.PACKAGE_ANNOUNCED,
            obj=package,
            changes=changes,
            **fields,
        )


def test_the_summary_is_worded_in_the_readers_language(officer):
    changes = {"status": ["draft", "announced"], "title": ["a", "b"], "pagu": ["1", "2"]}
    entry = _announced(officer, changes | {"hps": ["1", "2"]})
    entry.refresh_from_db()
    assert entry.summary_data["more"] == 1
    assert entry.summary.endswith("(+1 lainnya)")
    with translation.override("en"):
        english = entry.summary_text
    assert english.endswith("(+1 more)")
    assert "lainnya" not in english


def test_a_row_from_before_summary_data_shows_its_stored_summary(officer):
    entry = _announced(officer, {"status": ["draft", "announced"]}, summary={})
    assert entry.summary == ""
    entry.summary = "status: draft → announced (lama)"
    assert entry.summary_text == "status: draft → announced (lama)"
