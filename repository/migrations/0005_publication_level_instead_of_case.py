"""Publications record the level of the approval that published them instead of pointing at a
review case: the library reads nothing of the review app."""

from django.db import migrations, models


def copy_levels(apps, schema_editor):
    Publication = apps.get_model("repository", "Publication")
    for publication in Publication.objects.exclude(case=None).select_related("case").iterator():
        publication.level = publication.case.level
        publication.save(update_fields=["level"])


class Migration(migrations.Migration):
    dependencies = [
        ("repository", "0004_publication_event"),
        ("reviews", "0002_panels_evaluations_minutes_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="level",
            field=models.CharField(blank=True, max_length=20, verbose_name="cấp phê duyệt"),
        ),
        migrations.RunPython(copy_levels, migrations.RunPython.noop),
        migrations.RemoveField(model_name="publication", name="case"),
    ]
