"""Ships the GDPT 2018 subjects (with their grades) and the textbook series as data."""

from django.db import migrations

from accounts.curriculum import load_curriculum


def load(apps, schema_editor):
    load_curriculum(apps.get_model("accounts", "Subject"), apps.get_model("accounts", "TextbookSeries"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
