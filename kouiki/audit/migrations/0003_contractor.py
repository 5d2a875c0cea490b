"""The 受託者 (X-I2) of an act done for its principal (issue 15): the contractor's organization, kept
as id and code like the organization the act belongs to.

On SQLite, adding a column with a default rebuilds the table, which drops the append-only trigger
of 0002: it is created again (IF NOT EXISTS; PostgreSQL keeps its own)."""

from importlib import import_module

from django.db import migrations, models

_triggers = import_module("kouiki.audit.migrations.0002_append_only_triggers")


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _triggers.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="contractor_code",
            field=models.CharField(blank=True, default="", max_length=8, verbose_name="受託者の事業者コード"),
        ),
        migrations.AddField(
            model_name="event",
            name="contractor_id",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="受託者ID"),
        ),
        migrations.RunPython(create_triggers, migrations.RunPython.noop, elidable=False),
    ]
