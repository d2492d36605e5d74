"""Indexes that pay for themselves (docs/performance.md, "Indexes and reads"): the
owner's own foreign-key index goes (every other index of the table leads with the
owner and serves the same lookups), and the scan's is kept only for the listings
that have one, so the others pay nothing for it on insert and update."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0008_search_deferred"),
        ("ocr", "0003_engine_sku_field_confidence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="listing",
            name="ocr_scan",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="listings",
                to="ocr.scan",
            ),
        ),
        migrations.AlterField(
            model_name="listing",
            name="owner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="listings",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                condition=models.Q(("ocr_scan__isnull", False)),
                fields=["ocr_scan"],
                name="listing_ocr_scan_idx",
            ),
        ),
    ]
