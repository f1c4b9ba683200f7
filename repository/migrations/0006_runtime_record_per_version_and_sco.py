"""Runtime records follow the version and the SCO, not the publication: previews before
publication are recorded, and each SCO of a multi-SCO package keeps its own state."""

import django.db.models.deletion
from django.db import migrations, models


def fill_versions(apps, schema_editor):
    RuntimeRecord = apps.get_model("repository", "RuntimeRecord")
    for record in RuntimeRecord.objects.select_related("publication").iterator():
        record.version_id = record.publication.version_id
        record.save(update_fields=["version"])


class Migration(migrations.Migration):
    dependencies = [
        ("repository", "0005_publication_level_instead_of_case"),
        ("submissions", "0004_version_preview_facts"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="runtimerecord", name="one_runtime_record_per_user"),
        migrations.AddField(
            model_name="runtimerecord",
            name="version",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="runtime_records",
                to="submissions.lectureversion",
            ),
        ),
        migrations.AddField(
            model_name="runtimerecord",
            name="sco",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
        migrations.AddField(
            model_name="runtimerecord",
            name="cmi_stamp",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(fill_versions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="runtimerecord",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="runtime_records",
                to="submissions.lectureversion",
            ),
        ),
        migrations.AlterField(
            model_name="runtimerecord",
            name="publication",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="runtime_records",
                to="repository.publication",
            ),
        ),
        migrations.AddConstraint(
            model_name="runtimerecord",
            constraint=models.UniqueConstraint(fields=("version", "user", "sco"), name="one_runtime_record_per_sco"),
        ),
    ]
