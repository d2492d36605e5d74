"""A revision number per owner, bumped by PostgreSQL on every statement that writes
that owner's listings, so a count of their listings can be kept until it changes.

Counting 100,000 listings costs more than reading a page of them (an index scan of
every match), and the API's first page and the grid's "N listings" ask for it on
every load. ``listings.selectors.listings_count`` caches a count under the owner's
revision: any write (the engine, an admin action, a COPY, a test factory) bumps it
in the same transaction, so a cached count is never older than the data it counts.
Statement-level triggers cost one upsert per statement, not per row. The table
has no foreign key: a user deleted with their listings leaves a harmless row
rather than an ordering problem between the cascade and the trigger. On other
databases nothing is created and counts are not cached.
"""

from django.db import migrations

CREATE = """
-- From a sequence: a rolled-back write's number is never handed out again, so a
-- count cached under it is never read as another write's.
CREATE SEQUENCE listing_revision_seq;
CREATE TABLE listing_revision (owner_id bigint PRIMARY KEY, revision bigint NOT NULL);

CREATE FUNCTION listing_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO listing_revision (owner_id, revision)
    SELECT owner_id, nextval('listing_revision_seq') FROM (SELECT DISTINCT owner_id FROM written) AS owners
    ON CONFLICT (owner_id) DO UPDATE SET revision = EXCLUDED.revision;
    RETURN NULL;
END $$;

CREATE TRIGGER listing_revision_on_insert AFTER INSERT ON listings_listing
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION listing_revision_bump();
CREATE TRIGGER listing_revision_on_update AFTER UPDATE ON listings_listing
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION listing_revision_bump();
CREATE TRIGGER listing_revision_on_delete AFTER DELETE ON listings_listing
    REFERENCING OLD TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION listing_revision_bump();

-- A truncate names no rows: every owner's counts are retired.
CREATE FUNCTION listing_revision_bump_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE listing_revision SET revision = nextval('listing_revision_seq');
    RETURN NULL;
END $$;

CREATE TRIGGER listing_revision_on_truncate AFTER TRUNCATE ON listings_listing
    FOR EACH STATEMENT EXECUTE FUNCTION listing_revision_bump_all();
"""

DROP = """
DROP TRIGGER IF EXISTS listing_revision_on_insert ON listings_listing;
DROP TRIGGER IF EXISTS listing_revision_on_update ON listings_listing;
DROP TRIGGER IF EXISTS listing_revision_on_delete ON listings_listing;
DROP TRIGGER IF EXISTS listing_revision_on_truncate ON listings_listing;
DROP FUNCTION IF EXISTS listing_revision_bump();
DROP FUNCTION IF EXISTS listing_revision_bump_all();
DROP TABLE IF EXISTS listing_revision;
DROP SEQUENCE IF EXISTS listing_revision_seq;
"""


def create_revision(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_revision(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("listings", "0007_title_natural_sort")]

    operations = [migrations.RunPython(create_revision, drop_revision)]
