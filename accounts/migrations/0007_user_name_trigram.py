"""A trigram index of users' full names (full_name ILIKE '%...%', as Django writes icontains),
when the server has pg_trgm (vendors 0003 says where it lacks): the Django admin's searches
of officers by name, in the users' and the business-matching lists, read 250,000 users
whole without it (issue 19)."""

from django.db import migrations

TRIGRAM_INDEX = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS user_full_name_trgm ON accounts_user
    USING gin (upper(full_name::text) gin_trgm_ops);
"""


def create_trigram_index(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone():
            cursor.execute(TRIGRAM_INDEX)


def drop_trigram_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS user_full_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_notification_kind_and_texts")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
