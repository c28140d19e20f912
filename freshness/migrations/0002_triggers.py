"""The triggers that move a topic's version on when its tables are written.

Each statement on a tracked table notes its topic in a transaction-local setting and inserts
the transaction's row in freshness_pendingbump; that row's deferred trigger runs at commit,
once per transaction, and gives each noted topic a new version from a sequence (never
reused: a version never comes back, even after the table is emptied), in name order.
Versions thus move
only with transactions that commit, at the very end (the version rows are locked for the
commit alone, always in the same order: no deadlock), and a reader that sees the new version
also sees the data written with it. UPDATE and DELETE statements that touched no row do not
count."""

from django.db import migrations

TABLES = {
    "catalogue": (
        "vendors_vendor",
        "vendors_product",
        "vendors_tkdncertificate",
        "vendors_tkdncertificate_products",
        "vendors_halalcertificate",
        "vendors_halalcertificate_products",
        "vendors_halalassistance",
    ),
    "procurement": (
        "procurement_opd",
        "procurement_package",
        "procurement_packageitem",
        "procurement_bid",
    ),
    "matching": (
        "matching_event",
        "matching_participant",
        "matching_meeting",
        "matching_outcome",
    ),
}

FUNCTIONS = """
CREATE SEQUENCE freshness_version_seq;

CREATE FUNCTION freshness_note() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    noted text := coalesce(current_setting('freshness.topics', true), '');
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        -- planned only here: an INSERT trigger has no transition table
        IF NOT EXISTS (SELECT 1 FROM changed) THEN
            RETURN NULL;
        END IF;
    END IF;
    IF position(',' || TG_ARGV[0] || ',' IN noted || ',') = 0 THEN
        PERFORM set_config('freshness.topics', noted || ',' || TG_ARGV[0], true);
    END IF;
    INSERT INTO freshness_pendingbump (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE FUNCTION freshness_bump() RETURNS trigger LANGUAGE plpgsql AS $$
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
    PERFORM set_config('freshness.topics', '', true);
    DELETE FROM freshness_pendingbump WHERE txid = NEW.txid;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER freshness_bump AFTER INSERT ON freshness_pendingbump
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION freshness_bump();
"""


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


def _drop_table_triggers(table: str) -> str:
    return "".join(
        f"DROP TRIGGER IF EXISTS freshness_note_{event} ON {table};\n"
        for event in ("insert", "update", "delete", "truncate")
    )


FORWARD = (
    FUNCTIONS
    + "".join(_table_triggers(t, topic) for topic, tables in TABLES.items() for t in tables)
)
BACKWARD = (
    "".join(_drop_table_triggers(t) for tables in TABLES.values() for t in tables)
    + "DROP TRIGGER IF EXISTS freshness_bump ON freshness_pendingbump;\n"
    + "DROP FUNCTION IF EXISTS freshness_bump();\nDROP FUNCTION IF EXISTS freshness_note();\n"
    + "DROP SEQUENCE IF EXISTS freshness_version_seq;\n"
    + "DELETE FROM freshness_dataversion;"
)


class Migration(migrations.Migration):
    dependencies = [
        ("freshness", "0001_initial"),
        ("vendors", "0002_history_change_reason_text"),
        ("procurement", "0003_evaluation_runs"),
        ("matching", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
