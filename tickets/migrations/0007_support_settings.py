import datetime

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_support_managers")]

    operations = [
        migrations.RenameModel("BacklogSettings", "SupportSettings"),
        migrations.AlterModelOptions(
            name="supportsettings",
            options={"verbose_name": "support settings", "verbose_name_plural": "support settings"},
        ),
        migrations.AlterField(
            model_name="supportsettings",
            name="zombie_age_days",
            field=models.PositiveSmallIntegerField(default=14, verbose_name="zombie: open for more than (days)"),
        ),
        migrations.AlterField(
            model_name="supportsettings",
            name="zombie_quiet_days",
            field=models.PositiveSmallIntegerField(default=7, help_text="A ticket open that long with no assignee, or untouched by agents this long.", verbose_name="zombie: no agent activity for (days)"),
        ),
        migrations.AddField(
            model_name="supportsettings",
            name="follow_up_similarity",
            field=models.FloatField(default=0.5, help_text="How alike (0–1) a new request must be to one of the customer's open tickets to be added to it as a follow-up instead of opening another ticket.", validators=[django.core.validators.MinValueValidator(0.05), django.core.validators.MaxValueValidator(1.0)], verbose_name="follow-up similarity"),
        ),
        migrations.AddField(
            model_name="supportsettings",
            name="business_day_start",
            field=models.TimeField(default=datetime.time(9, 0), verbose_name="business day starts"),
        ),
        migrations.AddField(
            model_name="supportsettings",
            name="business_day_end",
            field=models.TimeField(default=datetime.time(17, 0), verbose_name="business day ends"),
        ),
        migrations.AddField(
            model_name="supportsettings",
            name="business_days",
            field=models.CharField(default="0,1,2,3,4", help_text="Weekday numbers, Monday = 0: “0,1,2,3,4” is Monday to Friday.", max_length=20, validators=[django.core.validators.RegexValidator("^[0-6](,[0-6])*$")], verbose_name="business days"),
        ),
        migrations.AddField(
            model_name="supportsettings",
            name="sla_at_risk_share",
            field=models.FloatField(default=0.75, validators=[django.core.validators.MinValueValidator(0.1), django.core.validators.MaxValueValidator(0.99)], verbose_name="at risk after this share of the SLA time"),
        ),
    ]
