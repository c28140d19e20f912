"""The contracts' tables under the data versions (a topic of their own): the dashboard's
realisation funnel and payment speed read them. Same triggers as 0002."""

import importlib

from django.db import migrations

TABLES = {
    "contracts": (
        "contracts_contract",
        "contracts_handover",
        "contracts_invoice",
        "contracts_payment",
    ),
}

_0002 = importlib.import_module("freshness.migrations.0002_triggers")

FORWARD = "".join(
    _0002._table_triggers(t, topic) for topic, tables in TABLES.items() for t in tables
)
BACKWARD = "".join(_0002._drop_table_triggers(t) for tables in TABLES.values() for t in tables)


class Migration(migrations.Migration):
    dependencies = [
        ("freshness", "0005_blacklistings"),
        ("contracts", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
