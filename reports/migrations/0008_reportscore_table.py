"""ReportScore's table and index get reports' names; every report's missing parts are read again
with the one definition (reading.completeness: 「无」 is not a part), as the score, the submission
check, the review page and the PDFs now all use the stored value."""

from django.db import migrations

BATCH = 2000


def recompute_missing_parts(apps, schema_editor):
    from reading.completeness import missing_parts
    from reading.sections import SECTION_KEYS

    Report = apps.get_model("reports", "Report")
    changed = []
    for report in Report.objects.only("pk", "missing_parts", *SECTION_KEYS).iterator(BATCH):
        missing = missing_parts({key: getattr(report, key) for key in SECTION_KEYS})
        if missing != report.missing_parts:
            report.missing_parts = missing
            changed.append(report)
    Report.objects.bulk_update(changed, ["missing_parts"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0007_move_to_org_and_exports"),
        ("org", "0002_rename_tables"),
    ]

    operations = [
        migrations.AlterModelTable(name="reportscore", table=None),
        migrations.RenameIndex(
            model_name="reportscore",
            new_name="reportscore_set_total",
            old_name="indicators__indicat_29ad3d_idx",
        ),
        migrations.RunPython(recompute_missing_parts, migrations.RunPython.noop),
    ]
