"""PostgreSQL search (``listing_search``, 0003_api_search_trgm): a large write defers
its trigram indexing to the background worker.

Keeping the trigram index in step costs ~100 index entries per row: 6 of the 10 s
of a bulk edit that changes 100,000 categories, 10 of the 15 s of inserting
100,000 listings. Writes of a few rows still index at once, in their statement's
triggers. A large write (the engine sets ``listing_search.defer`` for its
transaction) only notes the listings in ``listing_search_pending``; the worker's
``listings.search.search_index_pending`` indexes them set-wise, and until it has,
search matches the pending listings by a plain scan of their rows (``search_q``),
so a search finds every listing as it is now whatever the worker's progress.

``listing_search_text`` is the searched text, defined once for the triggers, the
worker and the scan.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION listing_search_text(title text, description text, category text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT UPPER(title || ' ' || description || ' ' || category) $$;

CREATE TABLE listing_search_pending (listing_id bigint PRIMARY KEY);

CREATE FUNCTION listing_search_deferred() RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT coalesce(current_setting('listing_search.defer', true), '') = 'on' $$;

CREATE OR REPLACE FUNCTION listing_search_upsert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF listing_search_deferred() THEN
        INSERT INTO listing_search_pending (listing_id) SELECT changed.id FROM changed
        ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO listing_search (listing_id, text)
        SELECT changed.id, listing_search_text(changed.title, changed.description, changed.category)
        FROM changed
        ON CONFLICT (listing_id) DO UPDATE SET text = EXCLUDED.text;
    END IF;
    RETURN NULL;
END $$;

-- The pending row is locked (DO UPDATE, not DO NOTHING) until this transaction
-- ends, so the worker skips it meanwhile instead of indexing the text as it was.
CREATE OR REPLACE FUNCTION listing_search_upsert_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF listing_search_deferred() THEN
        INSERT INTO listing_search_pending (listing_id) VALUES (NEW.id)
        ON CONFLICT (listing_id) DO UPDATE SET listing_id = EXCLUDED.listing_id;
    ELSE
        INSERT INTO listing_search (listing_id, text)
        VALUES (NEW.id, listing_search_text(NEW.title, NEW.description, NEW.category))
        ON CONFLICT (listing_id) DO UPDATE SET text = EXCLUDED.text;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION listing_search_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM listing_search WHERE listing_id IN (SELECT gone.id FROM gone);
    DELETE FROM listing_search_pending WHERE listing_id IN (SELECT gone.id FROM gone);
    RETURN NULL;
END $$;
"""

# As 0003_api_search_trgm made them.
DROP = """
CREATE OR REPLACE FUNCTION listing_search_upsert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO listing_search (listing_id, text)
    SELECT changed.id, UPPER(changed.title || ' ' || changed.description || ' ' || changed.category)
    FROM changed
    ON CONFLICT (listing_id) DO UPDATE SET text = EXCLUDED.text;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION listing_search_upsert_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO listing_search (listing_id, text)
    VALUES (NEW.id, UPPER(NEW.title || ' ' || NEW.description || ' ' || NEW.category))
    ON CONFLICT (listing_id) DO UPDATE SET text = EXCLUDED.text;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION listing_search_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM listing_search WHERE listing_id IN (SELECT gone.id FROM gone);
    RETURN NULL;
END $$;

INSERT INTO listing_search (listing_id, text)
SELECT listing.id, listing_search_text(listing.title, listing.description, listing.category)
FROM listings_listing AS listing JOIN listing_search_pending AS pending ON pending.listing_id = listing.id
ON CONFLICT (listing_id) DO UPDATE SET text = EXCLUDED.text;
DROP TABLE listing_search_pending;
DROP FUNCTION listing_search_deferred();
DROP FUNCTION listing_search_text(text, text, text);
"""


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("listings", "0007_title_natural_sort")]

    operations = [migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP))]
