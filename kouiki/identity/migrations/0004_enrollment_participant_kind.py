# The kind of switching participant (ADR 22): every existing enrollment is a retailer's.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0003_full_width_parentheses_in_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="participant_kind",
            field=models.CharField(
                choices=[("retailer", "小売電気事業者"), ("dr_contractor", "需要抑制契約者")],
                default="retailer",
                max_length=16,
                verbose_name="利用者区分",
            ),
        ),
        migrations.AddConstraint(
            model_name="enrollment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("participant_kind", "retailer"),
                    models.Q(("participant_kind", "dr_contractor"), ("system", "switching")),
                    _connector="OR",
                ),
                name="enrollment_dr_contractor_only_in_switching",
            ),
        ),
    ]
