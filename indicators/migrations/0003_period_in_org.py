"""Period is org's now; ReportScore is reports' (reports 0007 takes it over, on the same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0002_initial"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="indicatorset",
                    name="period",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="indicator_sets",
                        to="org.period",
                        verbose_name="报告年度",
                    ),
                ),
                migrations.DeleteModel(name="ReportScore"),
            ],
        )
    ]
