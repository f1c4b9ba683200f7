"""The four kinds of professional record of seed 001 (2.1–2.3), shipped as catalogue rows."""

from django.db import migrations

KINDS = [
    {
        "code": "school_plan",
        "name": "Kế hoạch giáo dục của nhà trường",
        "submitter_role": "principal",
        "unit_level": "school",
        "frequency": "yearly",
        "formats": ["pdf", "docx"],
        "approver_role": "district_officer",
        "route": "reporting_line",
        "inspect_levels": ["school", "district", "city"],
        "needs_council_adoption": True,
        "order": 1,
    },
    {
        "code": "department_plan",
        "name": "Kế hoạch giáo dục của tổ/nhóm chuyên môn",
        "submitter_role": "department_head",
        "unit_level": "department",
        "frequency": "yearly",
        "formats": ["pdf", "docx"],
        "approver_role": "principal",
        "route": "school_leaders",
        "inspect_levels": ["department", "school", "district", "city"],
        "has_activity_part": True,
        "order": 2,
    },
    {
        "code": "teacher_plan",
        "name": "Kế hoạch giáo dục của giáo viên",
        "submitter_role": "teacher",
        "unit_level": "teacher",
        "frequency": "yearly",
        "formats": ["pdf", "docx"],
        "approver_role": "department_head",
        "route": "department_head",
        "inspect_levels": ["department", "school", "district", "city"],
        "order": 3,
    },
    {
        "code": "lesson_plan",
        "name": "Kế hoạch bài dạy",
        "submitter_role": "teacher",
        "unit_level": "teacher",
        "frequency": "per_lesson",
        "formats": ["pdf", "docx"],
        "approver_role": "department_head",
        "route": "department_head",
        "inspect_levels": ["department", "school", "district", "city"],
        "order": 4,
    },
]


def add_kinds(apps, schema_editor):
    RecordKind = apps.get_model("submissions", "RecordKind")
    for row in KINDS:
        RecordKind.objects.update_or_create(code=row["code"], defaults=row)


def remove_kinds(apps, schema_editor):
    RecordKind = apps.get_model("submissions", "RecordKind")
    RecordKind.objects.filter(code__in=[k["code"] for k in KINDS], records__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("submissions", "0008_records")]

    operations = [migrations.RunPython(add_kinds, remove_kinds)]
