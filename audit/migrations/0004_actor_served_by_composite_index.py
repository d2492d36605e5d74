import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Only the two single-column indexes go. Django's own AlterField would also drop and
# re-add the foreign keys, which re-checks every row of a table of millions of entries.
DROPPED_INDEXES = ("audit_auditentry_actor_id_8ab278be", "audit_operation_actor_id_644b048c")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_request_id"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in DROPPED_INDEXES],
                    reverse_sql=[
                        'CREATE INDEX "audit_auditentry_actor_id_8ab278be" ON "audit_auditentry" ("actor_id")',
                        'CREATE INDEX "audit_operation_actor_id_644b048c" ON "audit_operation" ("actor_id")',
                    ],
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="audit_entries",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="operation",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="audit_operations",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        )
    ]
