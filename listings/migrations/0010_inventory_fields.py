"""Inventory fields: status, SKU, quantity, sold date and price, private notes.

Existing listings become ``ready`` with a quantity of 1 (the column defaults, filled
in by PostgreSQL without rewriting the table) and no SKU, so the per-owner SKU
constraint holds from the start."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0009_indexes_that_pay"),
    ]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="notes",
            field=models.TextField(blank=True, max_length=5000),
        ),
        migrations.AddField(
            model_name="listing",
            name="quantity",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="listing",
            name="sku",
            field=models.CharField(blank=True, max_length=64, verbose_name="SKU"),
        ),
        migrations.AddField(
            model_name="listing",
            name="sold_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="listing",
            name="sold_price",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True),
        ),
        migrations.AddField(
            model_name="listing",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("ready", "Ready"),
                    ("listed", "Listed"),
                    ("sold", "Sold"),
                    ("archived", "Archived"),
                ],
                default="ready",
                max_length=10,
            ),
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(fields=["owner", "status", "id"], name="listing_owner_status_idx"),
        ),
        migrations.AddConstraint(
            model_name="listing",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["draft", "ready", "listed", "sold", "archived"])),
                name="listing_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="listing",
            constraint=models.CheckConstraint(
                condition=models.Q(("sold_price__isnull", True), ("sold_price__gte", 0), _connector="OR"),
                name="listing_sold_price_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="listing",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Upper("sku"),
                models.F("owner"),
                condition=models.Q(("sku", ""), _negated=True),
                name="listing_sku_unique_per_owner",
            ),
        ),
    ]
