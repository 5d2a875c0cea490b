"""PostgreSQL sequences for 受付番号 and 廃止取次番号 (services/numbering.py).

A sequence hands out numbers without a lock held until commit, so concurrent filings do not queue
on one counter row; a rolled-back filing leaves a gap. Other databases use NumberCounter rows.
"""

from django.db import migrations

SEQUENCES = ("switching_reception_seq", "switching_switch_seq")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in SEQUENCES:
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in SEQUENCES:
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("switching", "0002_applications_switches_personal_data")]

    operations = [migrations.RunPython(create, drop)]
