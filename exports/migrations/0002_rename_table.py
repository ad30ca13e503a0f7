from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("exports", "0001_initial")]

    operations = [migrations.AlterModelTable(name="exportjob", table=None)]
