"""Data versions move on exactly when a transaction that wrote a topic's tables commits."""

import importlib

import pytest
from django.db import connection, transaction

from freshness import topics
from freshness.cache import versions
from tests import factories

TRIGGERS = {"insert", "update", "delete", "truncate"}


def test_the_migrations_track_the_tables_the_topics_name():
    tracked: dict[str, set[str]] = {}
    for name in (
        "0002_triggers",
        "0003_more_tables",
        "0004_key_versions",
        "0005_blacklistings",
        "0006_contracts_tables",
    ):
        migration = importlib.import_module(f"freshness.migrations.{name}")
        for topic, tables in migration.TABLES.items():
            tracked.setdefault(topic, set()).update(tables)
    assert tracked == {topic: set(tables) for topic, tables in topics.TABLES.items()}


@pytest.mark.django_db
def test_every_table_of_every_topic_has_its_triggers():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE 'freshness_note_%%'"
        )
        found: dict[str, set[str]] = {}
        for table, name in cursor.fetchall():
            found.setdefault(table, set()).add(name.removeprefix("freshness_note_"))
    expected = {table: TRIGGERS for tables in topics.TABLES.values() for table in tables}
    assert found == expected


def _bumped(before: dict[str, int]) -> set[str]:
    after = versions()
    return {topic for topic, version in after.items() if version != before[topic]}


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_moves_only_its_topic_on():
    before = versions()
    factories.OPDFactory()
    assert _bumped(before) == {topics.PROCUREMENT}


@pytest.mark.django_db(transaction=True)
def test_a_transaction_writing_two_topics_moves_both_once():
    before = versions()
    with transaction.atomic():
        factories.OPDFactory()
        factories.OPDFactory()
        factories.VendorFactory()
    after = versions()
    # A vendor is in the catalogue and in the directory.
    assert _bumped(before) == {topics.PROCUREMENT, topics.CATALOGUE, topics.DIRECTORY}
    # Once each: the versions were drawn one after the other, at the commit, in name order.
    drawn = [after[topics.CATALOGUE], after[topics.DIRECTORY], after[topics.PROCUREMENT]]
    assert drawn == list(range(drawn[0], drawn[0] + 3))


@pytest.mark.django_db(transaction=True)
def test_nothing_moves_before_the_commit_nor_after_a_rollback():
    before = versions()
    with pytest.raises(RuntimeError, match=r"^$"), transaction.atomic():
        factories.OPDFactory()
        assert _bumped(before) == set()  # written, not yet committed
        raise RuntimeError
    assert _bumped(before) == set()


@pytest.mark.django_db(transaction=True)
def test_an_update_or_delete_of_no_row_moves_nothing():
    from procurement.models import OPD

    before = versions()
    OPD.objects.filter(pk=-1).update(name="x")
    OPD.objects.filter(pk=-1).delete()
    assert _bumped(before) == set()


@pytest.mark.django_db(transaction=True)
def test_writes_outside_the_orm_count_too():
    opd = factories.OPDFactory()
    before = versions()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE procurement_opd SET name = name || '.' WHERE id = %s", [opd.pk])
    assert _bumped(before) == {topics.PROCUREMENT}
