"""Trigram indexes for the listing search (``q=``) on PostgreSQL; nothing elsewhere.

The search is ``UPPER(column::text) LIKE UPPER('%word%')`` per column (Django's
``icontains``), so each index is on exactly that expression with ``gin_trgm_ops``.
"""

from django.db import migrations

SEARCHED_COLUMNS = ("title", "description", "category")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "listing_{column}_trgm_idx" ON "listings_listing" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "listing_{column}_trgm_idx"')


class Migration(migrations.Migration):
    dependencies = [("listings", "0002_api_undo_warnings")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
