"""ExportJob moves here from reports, keeping its rows: state only, still on its old table
(0002 renames it)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("org", "0001_initial"),
        ("reports", "0007_move_to_org_and_exports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ExportJob",
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
                            "kind",
                            models.CharField(
                                choices=[
                                    ("county", "县（市、区）汇总"),
                                    ("province", "全部县汇总"),
                                ],
                                max_length=20,
                                verbose_name="类型",
                            ),
                        ),
                        (
                            "province",
                            models.CharField(
                                blank=True, max_length=50, verbose_name="省（自治区、直辖市）"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "排队中"),
                                    ("running", "生成中"),
                                    ("done", "已完成"),
                                    ("failed", "失败"),
                                ],
                                default="queued",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "progress",
                            models.PositiveSmallIntegerField(default=0, verbose_name="进度"),
                        ),
                        (
                            "file",
                            models.FileField(
                                blank=True, upload_to="exports/%Y/%m/", verbose_name="文件"
                            ),
                        ),
                        ("error", models.TextField(blank=True, verbose_name="错误信息")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="申请时间"),
                        ),
                        (
                            "finished_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="完成时间"),
                        ),
                        (
                            "county",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                to="org.county",
                                verbose_name="县（市、区）",
                            ),
                        ),
                        (
                            "period",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="org.period",
                                verbose_name="报告年度",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="申请人",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "reports_exportjob",
                        "verbose_name": "导出任务",
                        "verbose_name_plural": "导出任务",
                        "ordering": ["-created_at"],
                    },
                ),
            ],
        )
    ]
