"""A trigram index for the listing search (``q=``) on PostgreSQL; nothing elsewhere.

The search (``listings.selectors.search_q``) matches each word with
``UPPER((title || ' ' || description || ' ' || category)::text) LIKE UPPER('%word%')``,
so the index is on exactly that expression. One index over the three columns,
not one per column: a bulk edit of 100,000 listings inserts every row's trigrams
into each trigram index, and three indexes cost about three times one.
"""

from django.db import migrations

INDEX = "listing_search_trgm_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "listings_listing" USING gin '
        """(UPPER(("title" || ' ' || "description" || ' ' || "category")::text) gin_trgm_ops)"""
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("listings", "0002_api_undo_warnings")]

    operations = [migrations.RunPython(create_index, drop_index)]
