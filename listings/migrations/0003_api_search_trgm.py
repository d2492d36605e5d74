"""PostgreSQL search for listings (``q=``): a side table with a trigram index.

Why a side table and not an index on ``listings_listing``: PostgreSQL cannot update
a row in place when an indexed column changes, so a bulk edit of 100,000 listings
(say, their condition) re-inserts every row into every index, and a trigram index
takes ~100 entries per row: three quarters of the time of such an edit. Kept in
``listing_search``, the trigrams are only rewritten when title, description or
category change. Triggers keep the table in step with every write, including
bulk statements; on other databases nothing is created and the search scans.
"""

from django.db import migrations

SEARCH_TEXT = "UPPER({row}.title || ' ' || {row}.description || ' ' || {row}.category)"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE listing_search (listing_id bigint PRIMARY KEY, text text NOT NULL);
CREATE INDEX listing_search_trgm_idx ON listing_search USING gin (text gin_trgm_ops);

CREATE FUNCTION listing_search_upsert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO listing_search (listing_id, text)
    SELECT changed.id, {SEARCH_TEXT.format(row="changed")} FROM changed
    ON CONFLICT (listing_id) DO UPDATE SET text = EXCLUDED.text;
    RETURN NULL;
END $$;

CREATE FUNCTION listing_search_upsert_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO listing_search (listing_id, text) VALUES (NEW.id, {SEARCH_TEXT.format(row="NEW")})
    ON CONFLICT (listing_id) DO UPDATE SET text = EXCLUDED.text;
    RETURN NULL;
END $$;

CREATE FUNCTION listing_search_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM listing_search WHERE listing_id IN (SELECT gone.id FROM gone);
    RETURN NULL;
END $$;

CREATE TRIGGER listing_search_on_insert AFTER INSERT ON listings_listing
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION listing_search_upsert();
-- Per row with a WHEN test (evaluated without calling the function): an edit that
-- leaves the searched text alone costs nothing here.
CREATE TRIGGER listing_search_on_update AFTER UPDATE ON listings_listing FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description
          OR OLD.category IS DISTINCT FROM NEW.category)
    EXECUTE FUNCTION listing_search_upsert_row();
CREATE TRIGGER listing_search_on_delete AFTER DELETE ON listings_listing
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION listing_search_delete();

INSERT INTO listing_search (listing_id, text)
SELECT listing.id, {SEARCH_TEXT.format(row="listing")} FROM listings_listing AS listing;
"""

DROP = """
DROP TRIGGER IF EXISTS listing_search_on_insert ON listings_listing;
DROP TRIGGER IF EXISTS listing_search_on_update ON listings_listing;
DROP TRIGGER IF EXISTS listing_search_on_delete ON listings_listing;
DROP FUNCTION IF EXISTS listing_search_upsert();
DROP FUNCTION IF EXISTS listing_search_upsert_row();
DROP FUNCTION IF EXISTS listing_search_delete();
DROP TABLE IF EXISTS listing_search;
"""


def create_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("listings", "0002_api_undo_warnings")]

    operations = [migrations.RunPython(create_search, drop_search)]
