"""Titles sort naturally on PostgreSQL: "Lamp #2" before "Lamp #11".

The title column takes an ICU collation with numeric ordering (``und-u-kn-true``:
runs of digits compare as numbers, letters by the Unicode root order). As the
column's own collation, every ``ORDER BY title`` (grid, API, admin) and every
comparison on it uses it, so the API's keyset cursors (``title > last title``)
agree with the sort, and ``listing_owner_title_idx`` is rebuilt in that order and
keeps serving sorted pages at 100,000 rows. The collation is deterministic, so
equality, LIKE and the check constraint behave as before.

The model's field does not name the collation (SQLite, used for quick local
runs, has no ICU); an ``AlterField`` on ``title`` must restate it (see the note
on ``Listing.title``)."""

from django.db import migrations

COLLATION = "natural_sort"
# PostgreSQL cannot retype a column a trigger's WHEN names: the search table's
# update trigger (0003_api_search_trgm) is dropped and made again, unchanged.
UPDATE_TRIGGER = """
CREATE TRIGGER listing_search_on_update AFTER UPDATE ON listings_listing FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description
          OR OLD.category IS DISTINCT FROM NEW.category)
    EXECUTE FUNCTION listing_search_upsert_row();
"""
FORWARD = f"""
CREATE COLLATION IF NOT EXISTS {COLLATION} (provider = icu, locale = 'und-u-kn-true');
DROP TRIGGER listing_search_on_update ON listings_listing;
ALTER TABLE listings_listing ALTER COLUMN title TYPE varchar(150) COLLATE {COLLATION};
{UPDATE_TRIGGER}
"""
BACKWARD = f"""
DROP TRIGGER listing_search_on_update ON listings_listing;
ALTER TABLE listings_listing ALTER COLUMN title TYPE varchar(150) COLLATE "default";
{UPDATE_TRIGGER}
DROP COLLATION IF EXISTS {COLLATION};
"""


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("listings", "0006_grid_layout_saved_views")]

    operations = [migrations.RunPython(_on_postgres(FORWARD), _on_postgres(BACKWARD))]
