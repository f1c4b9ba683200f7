"""Minutes written before documents were numbered get their number and header now, in the order
they were decided, from each issuing unit's register (accounts.documents)."""

from django.db import migrations
from django.utils import timezone


def number_minutes(apps, schema_editor):
    from accounts.documents import document_frame, document_number_issue, document_symbol

    Minutes = apps.get_model("reviews", "Minutes")
    DocumentCounter = apps.get_model("accounts", "DocumentCounter")
    for minutes in (
        Minutes.objects.filter(number="")
        .select_related("case__unit", "case__lecture__school")
        .order_by("decided_at", "pk")
    ):
        case = minutes.case
        issuer = case.lecture.school if case.level == "school" else case.unit
        frame = document_frame(issuer)
        number = document_number_issue(
            unit=issuer, year=timezone.localtime(minutes.decided_at).year, counter_model=DocumentCounter
        )
        minutes.number = document_symbol(number, "BB", frame.abbreviation)
        minutes.frame = frame.as_dict()
        minutes.save(update_fields=["number", "frame"])


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0006_minutes_number"),
        ("accounts", "0005_document_counter"),
    ]

    operations = [migrations.RunPython(number_minutes, migrations.RunPython.noop)]
