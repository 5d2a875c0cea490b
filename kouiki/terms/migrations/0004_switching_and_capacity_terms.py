"""The switching system's terms (seed 001, Ver. 3.2) and the capacity market system's terms (seed 002,
Ver. 1.0); see kouiki/terms/services/documents.py."""

from django.db import migrations


def load(apps, schema_editor):
    from kouiki.terms.services.documents import load_shipped

    load_shipped(
        apps.get_model("terms", "TermsDocument"),
        versions=[
            ("switching", "system_terms", "Ver. 3.2"),
            ("capacity", "system_terms", "Ver. 1.0"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("terms", "0003_change_summary_publisher_and_mails"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
