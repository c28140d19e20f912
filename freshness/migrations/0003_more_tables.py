"""More tables under the data versions: what the officer's package panel shows (its events,
objections and evaluation runs, and the names of the users in them). Same triggers as 0002."""

import importlib

from django.db import migrations

TABLES = {
    "people": ("accounts_user",),
    "procurement": (
        "procurement_packageevent",
        "procurement_objection",
        "procurement_evaluationrun",
    ),
}


# The same statements as 0002 writes for its tables.
_0002 = importlib.import_module("freshness.migrations.0002_triggers")

FORWARD = "".join(
    _0002._table_triggers(t, topic) for topic, tables in TABLES.items() for t in tables
)
BACKWARD = "".join(_0002._drop_table_triggers(t) for tables in TABLES.values() for t in tables)


class Migration(migrations.Migration):
    dependencies = [
        ("freshness", "0002_triggers"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
