"""The moved models' tables get org's names (PostgreSQL keeps every row, key and constraint)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("reports", "0007_move_to_org_and_exports"),
        ("indicators", "0003_period_in_org"),
        ("exports", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="county", table=None),
        migrations.AlterModelTable(name="township", table=None),
        migrations.AlterModelTable(name="period", table=None),
        migrations.AlterModelTable(name="membership", table=None),
    ]
