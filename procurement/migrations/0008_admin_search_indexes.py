"""Indexes of the Django admin's searches of packages (p3dn_portal.lib.admin_search): the start
of a RUP code (LIKE '123%'), and titles by trigram when the server has pg_trgm."""

from django.db import migrations

RUP_CODE_INDEX = """
CREATE INDEX IF NOT EXISTS package_rup_code_prefix ON procurement_package
    (rup_code varchar_pattern_ops);
"""
TRIGRAM_INDEX = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS package_title_trgm ON procurement_package
    USING gin (upper(title::text) gin_trgm_ops);
"""


def create_indexes(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(RUP_CODE_INDEX)
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone():
            cursor.execute(TRIGRAM_INDEX)


def drop_indexes(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS package_rup_code_prefix")
    schema_editor.execute("DROP INDEX IF EXISTS package_title_trgm")


class Migration(migrations.Migration):
    dependencies = [("procurement", "0007_bid_sealing_key_id")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
