"""The demo city in one command, as often as one likes."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD, USERS
from accounts.models import Panel, PanelMembership, RoleAssignment, Unit, User
from repository.models import Publication
from reviews.models import Evaluation, ReviewCase, Rubric
from submissions.models import Lecture, LectureVersion, SubmissionWindow


def counts():
    return [
        model.objects.count()
        for model in (
            Unit,
            User,
            RoleAssignment,
            Panel,
            PanelMembership,
            SubmissionWindow,
            Lecture,
            LectureVersion,
            Rubric,
            ReviewCase,
            Evaluation,
            Publication,
        )
    ]


def test_load_demo_prints_logins_and_is_idempotent(db):
    """`load_demo` prints every login with the password; running it again creates nothing more."""
    out = StringIO()
    call_command("load_demo", stdout=out)
    printed = out.getvalue()
    assert all(user.username in printed for user in USERS)
    assert DEMO_PASSWORD in printed
    first = counts()
    call_command("load_demo", stdout=StringIO())
    assert counts() == first


def test_demo_city_has_every_kind_of_unit_and_role(db):
    """A city, two districts, a cluster, schools of every level, panels at district and city, every role."""
    call_command("load_demo", stdout=StringIO())
    kinds = set(Unit.objects.values_list("kind", flat=True))
    assert kinds == {"city", "district", "cluster", "school", "department"}
    assert Unit.objects.filter(kind="district").count() == 2
    levels = [tuple(u.levels) for u in Unit.objects.filter(kind="school")]
    assert ("primary",) in levels and ("lower_secondary",) in levels and ("upper_secondary",) in levels
    assert any(len(lv) == 3 for lv in levels), "a multi-level school"
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(RoleAssignment.Role.values)
    assert set(Panel.objects.values_list("unit__kind", flat=True)) >= {"district", "city"}
    assert PanelMembership.objects.filter(is_chair=True).exists()
    assert User.objects.get(username="demo.gv").check_password(DEMO_PASSWORD)


def test_load_demo_restores_a_changed_demo_password(db):
    """A demo account whose password was changed gets the demo password back."""
    call_command("load_demo", stdout=StringIO())
    user = User.objects.get(username="demo.gv")
    user.set_password("khac-hoan-toan")
    user.save()
    call_command("load_demo", stdout=StringIO())
    assert User.objects.get(username="demo.gv").check_password(DEMO_PASSWORD)


def test_demo_city_has_published_lectures_and_waiting_queues(db):
    """The demo publishes real checked files at school, district and city scope, and leaves a case
    waiting in each queue (department head, district panel, city panel), one of them overdue."""
    call_command("load_demo", stdout=StringIO())
    published = Publication.objects.filter(state=Publication.State.ACTIVE).select_related("scope", "version")
    assert {p.scope.kind for p in published} == {"school", "district", "city"}
    assert all(p.version.check_status == "passed" and p.version.file_key for p in published)
    assert {p.version.detected_format for p in published} == {"scorm12", "pdf"}
    # The lectures' cases (the demo's professional records have their own test: tests/records).
    waiting = ReviewCase.objects.filter(state="in_review", lecture__isnull=False)
    assert set(waiting.values_list("level", flat=True)) == {"school", "district", "city"}
    assert sum(case.is_overdue() for case in waiting) == 1
    # A district case with one member's evaluation filed and one still to come.
    district = waiting.get(level="district")
    assert district.assignments.count() == 2 and district.evaluations.count() == 1


def test_readme_lists_every_demo_login():
    """The README's login table names every account the demo creates, and admin."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for username in [user.username for user in USERS] + ["admin"]:
        assert f"`{username}`" in readme, f"{username} is missing from the README's demo logins"
