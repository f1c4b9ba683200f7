"""The demo data of the submissions app."""

from django.utils import timezone

from submissions import selectors
from submissions.demo import load_demo
from submissions.models import AcademicYear, Lecture, SubmissionWindow


def test_load_demo_is_idempotent_and_opens_a_window_today(demo):
    """Loading twice gives one year, three windows (one open today) and the same two draft lectures."""
    load_demo()
    load_demo()
    assert AcademicYear.objects.get().name == "2026–2027"
    assert SubmissionWindow.objects.count() == 3
    window = selectors.window_open_on(timezone.localdate(), school_level="lower_secondary")
    assert window is not None and window.slot == "makeup_1"
    lectures = Lecture.objects.filter(author=demo.user("demo.gv"))
    assert lectures.count() == 2
    assert all(not lec.versions.get().is_submitted for lec in lectures)
