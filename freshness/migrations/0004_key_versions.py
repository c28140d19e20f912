"""Versions of keys within a topic, and a second topic on one table.

- freshness_keyversion: the version of a key of a topic (the words of the product catalogue,
  see vendors migration 0006); freshness_note_keys() notes keys a statement touched in
  freshness_pendingkey, and freshness_bump() moves them on at commit with the topics, from
  the same sequence, keys after topics and each in name order (locks always taken in the
  same order: no deadlock).
- freshness_note() takes several topics: vendors_vendor moves `directory` on as well as
  `catalogue` (the directory's searches depend on the vendors, and on the words of the
  products they find, not on every product).
"""

import importlib

from django.db import migrations, models

_0002 = importlib.import_module("freshness.migrations.0002_triggers")

TABLES = {"directory": ("vendors_vendor",)}

FUNCTIONS = """
CREATE OR REPLACE FUNCTION freshness_note_topic(noted_topic text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    noted text := coalesce(current_setting('freshness.topics', true), '');
BEGIN
    IF position(',' || noted_topic || ',' IN noted || ',') = 0 THEN
        PERFORM set_config('freshness.topics', noted || ',' || noted_topic, true);
    END IF;
    INSERT INTO freshness_pendingbump (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
END
$$;

CREATE OR REPLACE FUNCTION freshness_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        -- planned only here: an INSERT trigger has no transition table
        IF NOT EXISTS (SELECT 1 FROM changed) THEN
            RETURN NULL;
        END IF;
    END IF;
    FOR i IN 0 .. TG_NARGS - 1 LOOP
        PERFORM freshness_note_topic(TG_ARGV[i]);
    END LOOP;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION freshness_note_keys(key_topic text, keys text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(cardinality(keys), 0) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO freshness_pendingkey (txid, topic, key)
    SELECT DISTINCT txid_current(), key_topic, k FROM unnest(keys) AS k
    ON CONFLICT DO NOTHING;
    INSERT INTO freshness_pendingbump (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
END
$$;

CREATE OR REPLACE FUNCTION freshness_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    noted text;
BEGIN
    FOR noted IN
        SELECT DISTINCT name
        FROM unnest(string_to_array(current_setting('freshness.topics', true), ',')) AS name
        WHERE name <> ''
        ORDER BY name
    LOOP
        INSERT INTO freshness_dataversion (topic, version)
        VALUES (noted, nextval('freshness_version_seq'))
        ON CONFLICT (topic) DO UPDATE SET version = EXCLUDED.version;
    END LOOP;
    INSERT INTO freshness_keyversion (topic, key, version)
    SELECT k.topic, k.key, nextval('freshness_version_seq')
    FROM (
        SELECT topic, key FROM freshness_pendingkey WHERE txid = NEW.txid ORDER BY topic, key
    ) AS k
    ON CONFLICT (topic, key) DO UPDATE SET version = EXCLUDED.version;
    DELETE FROM freshness_pendingkey WHERE txid = NEW.txid;
    PERFORM set_config('freshness.topics', '', true);
    DELETE FROM freshness_pendingbump WHERE txid = NEW.txid;
    RETURN NULL;
END
$$;
"""


def _vendor_triggers(*topics: str) -> str:
    arguments = ", ".join(f"'{topic}'" for topic in topics)
    created = _0002._table_triggers("vendors_vendor", "catalogue")
    return _0002._drop_table_triggers("vendors_vendor") + created.replace(
        "('catalogue')", f"({arguments})"
    )


FORWARD = FUNCTIONS + _vendor_triggers("catalogue", "directory")
# 0002's functions again (its FUNCTIONS also creates the sequence and the bump trigger).
_OLD_FUNCTIONS = _0002.FUNCTIONS.split("CREATE FUNCTION freshness_note()", 1)[1].split(
    "CREATE CONSTRAINT TRIGGER", 1
)[0]
BACKWARD = (
    _vendor_triggers("catalogue")
    + "CREATE OR REPLACE FUNCTION freshness_note()"
    + _OLD_FUNCTIONS.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
    + "DROP FUNCTION IF EXISTS freshness_note_keys(text, text[]);\n"
    + "DROP FUNCTION IF EXISTS freshness_note_topic(text);\n"
)


class Migration(migrations.Migration):
    dependencies = [
        ("freshness", "0003_more_tables"),
    ]

    operations = [
        migrations.CreateModel(
            name="KeyVersion",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "topic",
                        "key",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("topic", models.CharField(max_length=20, verbose_name="topik")),
                ("key", models.TextField(verbose_name="kunci")),
                ("version", models.BigIntegerField(verbose_name="versi")),
            ],
            options={
                "verbose_name": "versi kunci",
                "verbose_name_plural": "versi kunci",
            },
        ),
        migrations.CreateModel(
            name="PendingKey",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "txid",
                        "topic",
                        "key",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("txid", models.BigIntegerField()),
                ("topic", models.CharField(max_length=20)),
                ("key", models.TextField()),
            ],
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
