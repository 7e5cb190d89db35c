from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0015_submissions_stand"),
    ]

    operations = [
        migrations.AddField(
            model_name="roundreport",
            name="counts",
            field=models.JSONField(default=dict),
        ),
    ]
