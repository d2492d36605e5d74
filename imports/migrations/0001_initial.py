"""Import and ImportFile move here from listings, keeping their tables."""


import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('listings', '0004_import_imports'),
        ('listing_templates', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist (made by listings 0001-0004); only the model moves.
            state_operations=[
                migrations.CreateModel(
                    name='Import',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('preview', 'Ready to commit'), ('queued', 'Queued'), ('committing', 'Committing'), ('committed', 'Committed'), ('failed', 'Failed')], default='preview', max_length=12)),
                        ('mode', models.CharField(choices=[('create', 'Create new listings'), ('update_matching', 'Update listings matching the id column')], default='create', max_length=16)),
                        ('skip_invalid', models.BooleanField(default=False)),
                        ('counts', models.JSONField(blank=True, default=dict)),
                        ('errors', models.JSONField(blank=True, default=list)),
                        ('preview', models.JSONField(blank=True, default=list)),
                        ('progress', models.PositiveIntegerField(default=0)),
                        ('staged', models.FileField(blank=True, upload_to='imports/staged/%Y/%m/')),
                        ('message', models.TextField(blank=True)),
                        ('batch', models.UUIDField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('committed_at', models.DateTimeField(blank=True, null=True)),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='imports', to=settings.AUTH_USER_MODEL)),
                        ('template', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='imports', to='listing_templates.listingtemplate')),
                    ],
                    options={
                        'db_table': 'listings_import',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ImportFile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('file', models.FileField(upload_to='imports/%Y/%m/')),
                        ('original_name', models.CharField(max_length=255)),
                        ('format', models.CharField(max_length=8)),
                        ('sheet', models.CharField(max_length=255)),
                        ('sheet_names', models.JSONField(blank=True, default=list)),
                        ('header_row', models.PositiveIntegerField(default=0)),
                        ('headers', models.JSONField(blank=True, default=list)),
                        ('mapping', models.JSONField(blank=True, default=list)),
                        ('upload', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='files', to='imports.import')),
                    ],
                    options={
                        'db_table': 'listings_importfile',
                        'ordering': ['position', 'id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='import',
                    index=models.Index(fields=['owner', '-created_at'], name='import_owner_created_idx'),
                ),
            ],
        ),
    ]
