# The 受託者 (X-I2) of a personal-data read made for its principal (issue 15).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0006_staff_roles_contractor_grants"),
        ("switching", "0007_switch_identification_answers_documents"),
    ]

    operations = [
        migrations.AddField(
            model_name="personaldataaccess",
            name="contractor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="identity.organization",
                verbose_name="受託者",
            ),
        ),
    ]
