"""More tables under the data versions: what the officer's package panel shows (its events,
objections and evaluation runs, and the names of the users in them). Same triggers as 0002."""

from django.db import migrations

TABLES = {
    "people": ("accounts_user",),
    "procurement": (
        "procurement_packageevent",
        "procurement_objection",
        "procurement_evaluationrun",
    ),
}


def _table_triggers(table: str, topic: str) -> str:
    return f"""
CREATE TRIGGER freshness_note_insert AFTER INSERT ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION freshness_note('{topic}');
CREATE TRIGGER freshness_note_update AFTER UPDATE ON {table}
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION freshness_note('{topic}');
CREATE TRIGGER freshness_note_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION freshness_note('{topic}');
CREATE TRIGGER freshness_note_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION freshness_note('{topic}');
"""


FORWARD = "".join(_table_triggers(t, topic) for topic, tables in TABLES.items() for t in tables)
BACKWARD = "".join(
    f"DROP TRIGGER IF EXISTS freshness_note_{event} ON {table};\n"
    for tables in TABLES.values()
    for table in tables
    for event in ("insert", "update", "delete", "truncate")
)


class Migration(migrations.Migration):
    dependencies = [
        ("freshness", "0002_triggers"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
