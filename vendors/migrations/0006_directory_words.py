"""The directory's searches, finer than the whole catalogue: the words they depend on.

- vendor_name_search: the full-text index of vendor names, with which a search finds the
  products of the vendors named by its words (vendors.directory.VendorNameVector).
- vendors_product_words_changed: every statement writing products (by any path: the ORM, the
  admin, the listing refresh of migration 0003 when a certificate changes, raw SQL) notes the
  words of the rows before and after it, and of their vendors' names, as keys of the `word`
  topic (freshness migration 0004); they move on at commit. A search for "batik" is then
  computed again when a product it may find (before or after the write) changed, and not
  when a chair was edited. A statement writing more than freshness.topics.WORDS_AT_MOST
  products moves the whole `directory` topic on instead.
"""

from django.db import migrations

from freshness.topics import DIRECTORY, WORDS, WORDS_AT_MOST

SEARCH_CONFIG = "indonesian"  # vendors.directory.SEARCH_CONFIG

FORWARD = f"""
CREATE INDEX vendor_name_search ON vendors_vendor
    USING gin (to_tsvector('{SEARCH_CONFIG}'::regconfig, (name)::text));

-- The words of product texts and of the names of their vendors.
CREATE FUNCTION vendors_product_words(vectors tsvector[], vendor_ids bigint[]) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT word), '{{}}') FROM (
        SELECT unnest(tsvector_to_array(v)) AS word FROM unnest(vectors) AS v
        UNION ALL
        SELECT unnest(tsvector_to_array(to_tsvector('{SEARCH_CONFIG}'::regconfig, x.name::text)))
        FROM vendors_vendor x WHERE x.id = ANY(vendor_ids)
    ) AS words
$$;

CREATE FUNCTION vendors_product_words_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    written bigint := 0;
    words text[] := '{{}}';
BEGIN
    -- The transition tables are planned only in the branch of the operation that has them.
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        written := (SELECT count(*) FROM new_rows);
        IF written <= {WORDS_AT_MOST} THEN
            words := vendors_product_words(
                ARRAY(SELECT search_vector FROM new_rows), ARRAY(SELECT vendor_id FROM new_rows));
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        written := greatest(written, (SELECT count(*) FROM old_rows));
        IF written <= {WORDS_AT_MOST} THEN
            words := words || vendors_product_words(
                ARRAY(SELECT search_vector FROM old_rows), ARRAY(SELECT vendor_id FROM old_rows));
        END IF;
    END IF;
    IF written > {WORDS_AT_MOST} THEN
        PERFORM freshness_note_topic('{DIRECTORY}');
    ELSE
        PERFORM freshness_note_keys('{WORDS}', words);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER vendors_product_words_ins AFTER INSERT ON vendors_product
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vendors_product_words_changed();
CREATE TRIGGER vendors_product_words_upd AFTER UPDATE ON vendors_product
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vendors_product_words_changed();
CREATE TRIGGER vendors_product_words_del AFTER DELETE ON vendors_product
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vendors_product_words_changed();
CREATE TRIGGER vendors_product_words_truncate AFTER TRUNCATE ON vendors_product
    FOR EACH STATEMENT EXECUTE FUNCTION freshness_note('{DIRECTORY}');
"""

REVERSE = """
DROP TRIGGER IF EXISTS vendors_product_words_ins ON vendors_product;
DROP TRIGGER IF EXISTS vendors_product_words_upd ON vendors_product;
DROP TRIGGER IF EXISTS vendors_product_words_del ON vendors_product;
DROP TRIGGER IF EXISTS vendors_product_words_truncate ON vendors_product;
DROP FUNCTION IF EXISTS vendors_product_words_changed();
DROP FUNCTION IF EXISTS vendors_product_words(tsvector[], bigint[]);
DROP INDEX IF EXISTS vendor_name_search;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("vendors", "0005_vendor_deactivated_status"),
        ("freshness", "0004_key_versions"),
    ]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
