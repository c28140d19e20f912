"""A trigram index of meetings' messages (note ILIKE '%...%', as Django writes icontains),
when the server has pg_trgm (vendors 0003 says where it lacks): the Django admin's meeting
search otherwise reads every meeting of every event for each search (issue 19)."""

from django.db import migrations

TRIGRAM_INDEX = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS meeting_note_trgm ON matching_meeting
    USING gin (upper(note::text) gin_trgm_ops);
"""


def create_trigram_index(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone():
            cursor.execute(TRIGRAM_INDEX)


def drop_trigram_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS meeting_note_trgm")


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
