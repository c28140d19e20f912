"""The blacklist under the data versions: the directory marks a blacklisted vendor (its list
and its searches, and the vendor's page), so a decision, a correction or a lift moves both
`catalogue` and `directory` on. Same triggers as 0002, with two topics (as 0004 gives the
vendors)."""

import importlib

from django.db import migrations

TABLES = {
    "catalogue": ("vendors_blacklisting",),
    "directory": ("vendors_blacklisting",),
}

_0002 = importlib.import_module("freshness.migrations.0002_triggers")

FORWARD = _0002._table_triggers("vendors_blacklisting", "catalogue").replace(
    "('catalogue')", "('catalogue', 'directory')"
)
BACKWARD = _0002._drop_table_triggers("vendors_blacklisting")


class Migration(migrations.Migration):
    dependencies = [
        ("freshness", "0004_key_versions"),
        ("vendors", "0009_blacklist_and_ratings"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
