"""The GDPT 2018 subjects and the textbook series, shipped as data (accounts/data/curriculum.json)."""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "curriculum.json"


def load_curriculum(subject_model, series_model) -> None:
    """Creates or updates every subject and series. Takes the models as arguments so that the
    data migration can pass its historical models; idempotent."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for order, subject in enumerate(data["subjects"]):
        subject_model.objects.update_or_create(
            code=subject["code"],
            defaults={"name": subject["name"], "grades": subject["grades"], "order": order},
        )
    for series in data["textbook_series"]:
        series_model.objects.update_or_create(code=series["code"], defaults={"name": series["name"]})
