"""ListingTemplate, Import and ImportFile now belong to the listing_templates and
imports apps (their 0001 migrations take them over with the same tables). Here they
leave listings' state; the tables stay, and so do their rows. Content types and
permissions follow the models, so admin log entries and granted permissions still
point at them."""

from django.db import migrations

MOVED = {"listingtemplate": "listing_templates", "import": "imports", "importfile": "imports"}


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app_label in MOVED.items():
        # Only where the new app has no content type yet (a fresh database has none).
        if not ContentType.objects.filter(app_label=app_label, model=model).exists():
            ContentType.objects.filter(app_label="listings", model=model).update(app_label=app_label)


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app_label in MOVED.items():
        ContentType.objects.filter(app_label=app_label, model=model).update(app_label="listings")


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0004_import_imports"),
        ("listing_templates", "0001_initial"),
        ("imports", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="importfile", name="upload"),
                migrations.RemoveField(model_name="listingtemplate", name="owner"),
                migrations.DeleteModel(name="Import"),
                migrations.DeleteModel(name="ImportFile"),
                migrations.DeleteModel(name="ListingTemplate"),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
