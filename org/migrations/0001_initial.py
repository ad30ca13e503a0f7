"""County, Township, Period and Membership move here from reports, keeping their rows.

The tables already exist (made by reports' migrations): this only tells Django's state that the
models now belong to org, still on their old tables. 0002 renames the tables once every reference
has moved (reports 0007, indicators 0003, exports 0001).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("reports", "0006_report_missing_parts"),
        ("indicators", "0002_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Period",
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
                            "year",
                            models.PositiveSmallIntegerField(unique=True, verbose_name="报告年度"),
                        ),
                        ("deadline", models.DateField(verbose_name="报送截止日期")),
                        (
                            "locked",
                            models.BooleanField(
                                default=False,
                                help_text="锁定后不能再修改或报送该年度的报告。",
                                verbose_name="已锁定",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "reports_period",
                        "verbose_name": "报告年度",
                        "verbose_name_plural": "报告年度",
                        "ordering": ["-year"],
                    },
                ),
                migrations.CreateModel(
                    name="County",
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
                        ("name", models.CharField(max_length=50, verbose_name="县（市、区）")),
                        ("city", models.CharField(max_length=50, verbose_name="市（州）")),
                        (
                            "province",
                            models.CharField(max_length=50, verbose_name="省（自治区、直辖市）"),
                        ),
                    ],
                    options={
                        "db_table": "reports_county",
                        "verbose_name": "县（市、区）",
                        "verbose_name_plural": "县（市、区）",
                        "ordering": ["province", "city", "name"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("province", "name"), name="county_unique_name"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Township",
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
                        ("name", models.CharField(max_length=50, verbose_name="名称")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("xiang", "乡"),
                                    ("zhen", "镇"),
                                    ("jiedao", "街道"),
                                    ("minzu_xiang", "民族乡"),
                                ],
                                max_length=20,
                                verbose_name="类型",
                            ),
                        ),
                        ("order", models.PositiveIntegerField(default=0, verbose_name="排序")),
                        (
                            "county",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="townships",
                                to="org.county",
                                verbose_name="所属县",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "reports_township",
                        "verbose_name": "乡镇（街道）",
                        "verbose_name_plural": "乡镇（街道）",
                        "ordering": ["county", "order", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="Membership",
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
                            "role",
                            models.CharField(
                                choices=[
                                    ("clerk", "乡镇填报员"),
                                    ("reviewer", "县级审核员"),
                                    ("admin", "管理员"),
                                ],
                                max_length=20,
                                verbose_name="角色",
                            ),
                        ),
                        (
                            "county",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="memberships",
                                to="org.county",
                                verbose_name="县（市、区）",
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="membership",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="用户",
                            ),
                        ),
                        (
                            "township",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="memberships",
                                to="org.township",
                                verbose_name="乡镇（街道）",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "reports_membership",
                        "verbose_name": "用户角色",
                        "verbose_name_plural": "用户角色",
                    },
                ),
                migrations.AddConstraint(
                    model_name="township",
                    constraint=models.UniqueConstraint(
                        fields=("county", "name"), name="township_unique_name"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="membership",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("county__isnull", True),
                                ("role", "clerk"),
                                ("township__isnull", False),
                            ),
                            models.Q(
                                ("county__isnull", False),
                                ("role", "reviewer"),
                                ("township__isnull", True),
                            ),
                            models.Q(
                                ("county__isnull", True),
                                ("role", "admin"),
                                ("township__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="membership_place_matches_role",
                        violation_error_message="乡镇填报员须选择所属乡镇（不选县），县级审核员须选择所属县（不选乡镇），管理员两者都不选。",
                    ),
                ),
            ],
        )
    ]
