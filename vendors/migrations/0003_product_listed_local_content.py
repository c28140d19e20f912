"""The public directory's precomputed local content, and the indexes behind its searches.

Every product row carries, in columns the ORM does not know about (so a Product.save() of a
row read before a certificate changed can never write stale values back):

- listed_tkdn_pct, listed_bmp_pct: TKDN and BMP of its effective certificate (the newest
  verified one not expired), 0 without one;
- listed_tkdn_until: the day those values hold until, the effective certificate's expiry
  (9999-12-31 without one: no certificate can become valid by the passing of time);
- listed_halal_until: the last day a verified halal certificate covers it (9999-12-31 for one
  without an expiry date, NULL without any): halal on a day is `listed_halal_until >= day`,
  exact on any day without refreshing.

Triggers on the certificate and certificate-product tables recompute the products concerned
whenever a certificate is verified, rejected, expired, edited, deleted, linked or unlinked,
whatever the path (ORM, queryset.update(), admin, raw SQL, COPY). When the effective TKDN
certificate passes its expiry date an older one may take over: vendors.directory refreshes the
rows whose listed_tkdn_until is before the day asked about before it reads them (normally none:
the daily certificates_expire task marks those certificates expired, which fires the trigger).
"""

from django.conf import settings
from django.db import migrations

FOREVER = "DATE '9999-12-31'"

FUNCTIONS = f"""
ALTER TABLE vendors_product
    ADD COLUMN listed_tkdn_pct numeric(5, 2) NOT NULL DEFAULT 0,
    ADD COLUMN listed_bmp_pct numeric(5, 2) NOT NULL DEFAULT 0,
    ADD COLUMN listed_tkdn_until date NOT NULL DEFAULT {FOREVER},
    ADD COLUMN listed_halal_until date NULL;

-- The project's today (settings.TIME_ZONE), as timezone.localdate() has it.
CREATE FUNCTION vendors_local_today() RETURNS date LANGUAGE sql STABLE AS $$
    SELECT (now() AT TIME ZONE '{settings.TIME_ZONE}')::date
$$;

-- Recomputes the listed local content of the products `ids` as on `day`; writes only the rows
-- that change and returns how many did.
CREATE FUNCTION vendors_product_listing_refresh(ids bigint[], day date) RETURNS integer
LANGUAGE sql AS $$
    WITH fresh AS (
        SELECT i.id,
               coalesce(t.tkdn_pct, 0) AS tkdn_pct,
               coalesce(t.bmp_pct, 0) AS bmp_pct,
               coalesce(t.expires_on, {FOREVER}) AS tkdn_until,
               h.until AS halal_until
        FROM (SELECT DISTINCT unnest(ids) AS id) i
        LEFT JOIN LATERAL (
            SELECT c.tkdn_pct, c.bmp_pct, c.expires_on
            FROM vendors_tkdncertificate_products cp
            JOIN vendors_tkdncertificate c ON c.id = cp.tkdncertificate_id
            WHERE cp.product_id = i.id AND c.status = 'verified' AND c.expires_on >= day
            ORDER BY c.issued_on DESC, c.id DESC
            LIMIT 1
        ) t ON true
        LEFT JOIN LATERAL (
            SELECT max(coalesce(c.expires_on, {FOREVER})) AS until
            FROM vendors_halalcertificate_products cp
            JOIN vendors_halalcertificate c ON c.id = cp.halalcertificate_id
            WHERE cp.product_id = i.id AND c.status = 'verified'
        ) h ON true
    ), changed AS (
        UPDATE vendors_product p
        SET listed_tkdn_pct = f.tkdn_pct,
            listed_bmp_pct = f.bmp_pct,
            listed_tkdn_until = f.tkdn_until,
            listed_halal_until = f.halal_until
        FROM fresh f
        WHERE p.id = f.id
          AND (p.listed_tkdn_pct, p.listed_bmp_pct, p.listed_tkdn_until, p.listed_halal_until)
              IS DISTINCT FROM (f.tkdn_pct, f.bmp_pct, f.tkdn_until, f.halal_until)
        RETURNING 1
    )
    SELECT count(*)::integer FROM changed
$$;

-- Links added, removed or changed (statement level: one refresh per statement, COPY too).
CREATE FUNCTION vendors_listing_links_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM vendors_product_listing_refresh(
            ARRAY(SELECT product_id FROM new_rows), vendors_local_today());
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM vendors_product_listing_refresh(
            ARRAY(SELECT product_id FROM old_rows), vendors_local_today());
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION vendors_listing_tkdn_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM vendors_product_listing_refresh(ARRAY(
            SELECT cp.product_id FROM vendors_tkdncertificate_products cp
            WHERE cp.tkdncertificate_id IN (SELECT id FROM new_rows)), vendors_local_today());
    ELSE
        PERFORM vendors_product_listing_refresh(ARRAY(
            SELECT cp.product_id FROM vendors_tkdncertificate_products cp
            WHERE cp.tkdncertificate_id IN (SELECT id FROM old_rows)), vendors_local_today());
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION vendors_listing_halal_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM vendors_product_listing_refresh(ARRAY(
            SELECT cp.product_id FROM vendors_halalcertificate_products cp
            WHERE cp.halalcertificate_id IN (SELECT id FROM new_rows)), vendors_local_today());
    ELSE
        PERFORM vendors_product_listing_refresh(ARRAY(
            SELECT cp.product_id FROM vendors_halalcertificate_products cp
            WHERE cp.halalcertificate_id IN (SELECT id FROM old_rows)), vendors_local_today());
    END IF;
    RETURN NULL;
END
$$;
"""


def _link_triggers(table: str) -> str:
    return f"""
CREATE TRIGGER {table}_listing_ins AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vendors_listing_links_changed();
CREATE TRIGGER {table}_listing_upd AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vendors_listing_links_changed();
CREATE TRIGGER {table}_listing_del AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vendors_listing_links_changed();
"""


def _certificate_triggers(table: str, function: str) -> str:
    return f"""
CREATE TRIGGER {table}_listing_upd AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {table}_listing_del AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""


TRIGGERS = (
    _link_triggers("vendors_tkdncertificate_products")
    + _link_triggers("vendors_halalcertificate_products")
    + _certificate_triggers("vendors_tkdncertificate", "vendors_listing_tkdn_changed")
    + _certificate_triggers("vendors_halalcertificate", "vendors_listing_halal_changed")
)

# The rows there already, set-based (one pass instead of a refresh per product).
BACKFILL = f"""
-- Foreign keys are checked now, not at commit: no index can be built on a table with checks
-- still pending.
SET CONSTRAINTS ALL IMMEDIATE;
UPDATE vendors_product p
SET listed_tkdn_pct = t.tkdn_pct, listed_bmp_pct = t.bmp_pct, listed_tkdn_until = t.expires_on
FROM (
    SELECT DISTINCT ON (cp.product_id) cp.product_id, c.tkdn_pct, c.bmp_pct, c.expires_on
    FROM vendors_tkdncertificate_products cp
    JOIN vendors_tkdncertificate c ON c.id = cp.tkdncertificate_id
    WHERE c.status = 'verified' AND c.expires_on >= vendors_local_today()
    ORDER BY cp.product_id, c.issued_on DESC, c.id DESC
) t
WHERE p.id = t.product_id;

UPDATE vendors_product p
SET listed_halal_until = h.until
FROM (
    SELECT cp.product_id, max(coalesce(c.expires_on, {FOREVER})) AS until
    FROM vendors_halalcertificate_products cp
    JOIN vendors_halalcertificate c ON c.id = cp.halalcertificate_id
    WHERE c.status = 'verified'
    GROUP BY cp.product_id
) h
WHERE p.id = h.product_id;
"""

# The directory lists active products only; each sort has an index in its order, so a page is
# the first rows of an index scan (filters that keep a fair share of the rows are checked on
# the way), and the refresh finds the rows past their date at once.
INDEXES = """
CREATE INDEX product_listed_tkdn ON vendors_product
    (listed_tkdn_pct DESC, name, id) WHERE is_active;
CREATE INDEX product_listed_name ON vendors_product (name, id) WHERE is_active;
CREATE INDEX product_listed_price ON vendors_product (unit_price, name, id) WHERE is_active;
CREATE INDEX product_listed_price_desc ON vendors_product
    (unit_price DESC, name, id) WHERE is_active;
CREATE INDEX product_listed_tkdn_kbli ON vendors_product
    (kbli, listed_tkdn_pct DESC, name, id) WHERE is_active;
CREATE INDEX product_listed_tkdn_until ON vendors_product (listed_tkdn_until)
    WHERE listed_tkdn_until < DATE '9999-12-31';
-- The city choices: a skip scan over the few distinct cities of verified vendors.
CREATE INDEX vendor_verified_city ON vendors_vendor (city) WHERE status = 'verified';
ANALYZE vendors_product;
ANALYZE vendors_vendor;
"""

REVERSE = """
DROP INDEX IF EXISTS vendor_verified_city;
DROP INDEX IF EXISTS product_listed_name;
DROP INDEX IF EXISTS product_listed_price;
DROP INDEX IF EXISTS product_listed_price_desc;
DROP TRIGGER IF EXISTS vendors_tkdncertificate_products_listing_ins
    ON vendors_tkdncertificate_products;
DROP TRIGGER IF EXISTS vendors_tkdncertificate_products_listing_upd
    ON vendors_tkdncertificate_products;
DROP TRIGGER IF EXISTS vendors_tkdncertificate_products_listing_del
    ON vendors_tkdncertificate_products;
DROP TRIGGER IF EXISTS vendors_halalcertificate_products_listing_ins
    ON vendors_halalcertificate_products;
DROP TRIGGER IF EXISTS vendors_halalcertificate_products_listing_upd
    ON vendors_halalcertificate_products;
DROP TRIGGER IF EXISTS vendors_halalcertificate_products_listing_del
    ON vendors_halalcertificate_products;
DROP TRIGGER IF EXISTS vendors_tkdncertificate_listing_upd ON vendors_tkdncertificate;
DROP TRIGGER IF EXISTS vendors_tkdncertificate_listing_del ON vendors_tkdncertificate;
DROP TRIGGER IF EXISTS vendors_halalcertificate_listing_upd ON vendors_halalcertificate;
DROP TRIGGER IF EXISTS vendors_halalcertificate_listing_del ON vendors_halalcertificate;
DROP FUNCTION IF EXISTS vendors_listing_halal_changed();
DROP FUNCTION IF EXISTS vendors_listing_tkdn_changed();
DROP FUNCTION IF EXISTS vendors_listing_links_changed();
DROP FUNCTION IF EXISTS vendors_product_listing_refresh(bigint[], date);
DROP FUNCTION IF EXISTS vendors_local_today();
ALTER TABLE vendors_product
    DROP COLUMN listed_tkdn_pct,
    DROP COLUMN listed_bmp_pct,
    DROP COLUMN listed_tkdn_until,
    DROP COLUMN listed_halal_until;
"""


# The vendor-name part of a search (name ILIKE '%...%', as Django writes icontains). pg_trgm
# ships in PostgreSQL's contrib, which every server the portal runs on has; the embedded
# PostgreSQL of `make run` and `make test` lacks it, and searches there go without the index.
TRIGRAM_INDEX = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX vendor_name_trgm ON vendors_vendor USING gin (upper(name::text) gin_trgm_ops);
"""


def create_trigram_index(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone():
            cursor.execute(TRIGRAM_INDEX)


def drop_trigram_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS vendor_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("vendors", "0002_history_change_reason_text")]

    operations = [
        migrations.RunSQL(FUNCTIONS + TRIGGERS + BACKFILL + INDEXES, REVERSE),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
