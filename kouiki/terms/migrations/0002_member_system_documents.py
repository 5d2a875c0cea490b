"""The member system's three documents: 定款, システム利用規約 (seed 000, Ver. 1.1) and
総会招集通知の電磁的方法利用許諾 (定款第25条); see kouiki/terms/services/documents.py."""

from django.db import migrations


def load(apps, schema_editor):
    from kouiki.terms.services.documents import load_shipped

    load_shipped(
        apps.get_model("terms", "TermsDocument"),
        versions=[
            ("member", "articles", "Ver. 1.0"),
            ("member", "system_terms", "Ver. 1.1"),
            ("member", "electronic_notice", "Ver. 1.0"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("terms", "0001_documents_and_consents"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
