"""ListingTemplate moves here from listings, keeping its table."""


import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('listings', '0004_import_imports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist (made by listings 0001-0004); only the model moves.
            state_operations=[
                migrations.CreateModel(
                    name='ListingTemplate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100)),
                        ('description', models.TextField(blank=True)),
                        ('defaults', models.JSONField(blank=True, default=dict)),
                        ('is_public', models.BooleanField(default=False)),
                        ('use_count', models.PositiveIntegerField(default=0)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='listing_templates', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'listings_listingtemplate',
                        'ordering': ['name', 'id'],
                        'constraints': [models.UniqueConstraint(fields=('owner', 'name'), name='listing_template_name_unique_per_owner', violation_error_message='You already have a template with this name.')],
                    },
                ),
            ],
        ),
    ]
