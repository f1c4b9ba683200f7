"""The default rubric for e-lectures (editable afterwards in the admin)."""

from django.db import migrations

from reviews.rubrics import rubric_ensure_default


def create_default(apps, schema_editor):
    rubric_ensure_default(apps.get_model("reviews", "Rubric"), apps.get_model("reviews", "Criterion"))


def remove_default(apps, schema_editor):
    apps.get_model("reviews", "Rubric").objects.filter(is_default=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_panels_evaluations_minutes_notifications")]

    operations = [migrations.RunPython(create_default, remove_default)]
