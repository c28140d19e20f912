"""Indexes of the Django admin's searches at a million products (p3dn_portal.lib.admin_search):
product names and brands by trigram (name ILIKE '%...%', as Django writes icontains), when the
server has pg_trgm (0003 says where it lacks)."""

from django.db import migrations

TRIGRAM_INDEXES = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS product_name_trgm ON vendors_product
    USING gin (upper(name::text) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS product_brand_trgm ON vendors_product
    USING gin (upper(brand::text) gin_trgm_ops);
"""


def create_trigram_indexes(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone():
            cursor.execute(TRIGRAM_INDEXES)


def drop_trigram_indexes(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS product_name_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS product_brand_trgm")


class Migration(migrations.Migration):
    dependencies = [("vendors", "0006_directory_words")]

    operations = [migrations.RunPython(create_trigram_indexes, drop_trigram_indexes)]
