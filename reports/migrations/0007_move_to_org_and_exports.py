"""The organisation models go to org and ExportJob to exports; ReportScore comes here from
indicators. State only: every table stays as it is (org 0002, exports 0002 and reports 0008 rename
them), so no row is touched. Content types follow the models, so that permissions given to
groups and the admin's log keep pointing at them."""

import django.db.models.deletion
from django.db import migrations, models

MOVED = {
    ("reports", "county"): "org",
    ("reports", "township"): "org",
    ("reports", "period"): "org",
    ("reports", "membership"): "org",
    ("reports", "exportjob"): "exports",
    ("indicators", "reportscore"): "reports",
}


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for (old_app, model), new_app in MOVED.items():
        old = ContentType.objects.filter(app_label=old_app, model=model).first()
        if old is None:
            continue
        # A content type made for the new place before this ran (a database migrated with this
        # code to an older state) holds only fresh, unused permissions: the old one wins.
        ContentType.objects.filter(app_label=new_app, model=model).delete()
        old.app_label = new_app
        old.save(update_fields=["app_label"])


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for (old_app, model), new_app in MOVED.items():
        ContentType.objects.filter(app_label=new_app, model=model).update(app_label=old_app)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("indicators", "0003_period_in_org"),
        ("org", "0001_initial"),
        ("reports", "0006_report_missing_parts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="historicalreport",
                    name="period",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="org.period",
                        verbose_name="报告年度",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalreport",
                    name="township",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="org.township",
                        verbose_name="乡镇（街道）",
                    ),
                ),
                migrations.AlterField(
                    model_name="reportband",
                    name="period",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="org.period",
                        verbose_name="报告年度",
                    ),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="period",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="org.period",
                        verbose_name="报告年度",
                    ),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="township",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="org.township",
                        verbose_name="乡镇（街道）",
                    ),
                ),
                migrations.DeleteModel(name="Membership"),
                migrations.DeleteModel(name="ExportJob"),
                migrations.DeleteModel(name="Township"),
                migrations.DeleteModel(name="County"),
                migrations.DeleteModel(name="Period"),
                migrations.CreateModel(
                    name="ReportScore",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "earned",
                            models.DecimalField(
                                decimal_places=2, max_digits=8, verbose_name="得分"
                            ),
                        ),
                        (
                            "maximum",
                            models.DecimalField(
                                decimal_places=2, max_digits=8, verbose_name="适用满分"
                            ),
                        ),
                        (
                            "total",
                            models.DecimalField(
                                decimal_places=2, max_digits=5, verbose_name="百分制总分"
                            ),
                        ),
                        ("breakdown", models.JSONField(default=list, verbose_name="明细")),
                        ("computed_at", models.DateTimeField(verbose_name="计算时间")),
                        (
                            "indicator_set",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="scores",
                                to="indicators.indicatorset",
                                verbose_name="指标体系",
                            ),
                        ),
                        (
                            "report",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="score",
                                to="reports.report",
                                verbose_name="报告",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "indicators_reportscore",
                        "verbose_name": "报告得分",
                        "verbose_name_plural": "报告得分",
                        "indexes": [
                            models.Index(
                                fields=["indicator_set", "total"],
                                name="indicators__indicat_29ad3d_idx",
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
