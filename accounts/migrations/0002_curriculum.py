"""Ships the GDPT 2018 subjects (with their grades) and the textbook series as data."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "curriculum.json"


def load(apps, schema_editor):
    Subject = apps.get_model("accounts", "Subject")
    TextbookSeries = apps.get_model("accounts", "TextbookSeries")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for order, subject in enumerate(data["subjects"]):
        Subject.objects.update_or_create(
            code=subject["code"], defaults={"name": subject["name"], "grades": subject["grades"], "order": order}
        )
    for series in data["textbook_series"]:
        TextbookSeries.objects.update_or_create(code=series["code"], defaults={"name": series["name"]})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
