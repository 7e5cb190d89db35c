from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0009_trust_policies_ci_identity"),
    ]

    operations = [
        migrations.AddField(
            model_name="roundreport",
            name="counts",
            field=models.JSONField(default=dict),
        ),
    ]
