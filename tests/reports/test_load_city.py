"""`manage.py load_city`: a consistent city whose size follows the scale, never over real users."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F, Q

from accounts.models import Panel, RoleAssignment, Unit, User
from reports.management.city.plan import Plan
from repository.models import Publication, PublicationEvent, UsageDay
from reviews.models import CaseState, Minutes, ReviewCase, ReviewLevel
from submissions.models import Lecture, LectureVersion

pytestmark = pytest.mark.django_db
SCALE = 0.001


def _load(*args):
    out = StringIO()
    call_command("load_city", "--scale", str(SCALE), *args, stdout=out)
    return out.getvalue()


def test_counts_follow_the_scale_and_the_data_hold_together(client):
    """At 1/1000 of the city: 150 lectures, about 300 versions and cases, about 200 publications
    and 1,000 usage rows, every state and level, paths and counters right, pages render."""
    output = _load()
    plan = Plan.for_scale(SCALE)
    totals = plan.totals()
    assert totals["lectures"] == 150 and totals["usage_rows"] == 1000
    assert 0.85 * 300 <= totals["versions"] <= 1.15 * 300
    assert 0.85 * 300 <= totals["cases"] <= 1.15 * 300
    assert 0.8 * 200 <= totals["publications"] <= 1.2 * 200
    assert Lecture.objects.count() == totals["lectures"]
    assert LectureVersion.objects.count() == totals["versions"]
    assert ReviewCase.objects.count() == totals["cases"]
    assert Publication.objects.count() == totals["publications"]
    assert UsageDay.objects.count() == totals["usage_rows"]
    assert User.objects.filter(username__startswith="city.").count() == plan.users
    assert Unit.objects.filter(kind=Unit.Kind.SCHOOL).count() == plan.schools
    assert Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).count() == plan.departments
    assert Unit.objects.filter(kind=Unit.Kind.DISTRICT).count() == plan.districts
    assert re.search(r"Thời gian: [\d.]+ s", output)

    assert set(ReviewCase.objects.values_list("state", flat=True)) == set(CaseState.values)
    assert set(ReviewCase.objects.values_list("level", flat=True)) == set(ReviewLevel.values)
    assert set(Publication.objects.values_list("scope__kind", flat=True)) == {
        "school",
        "cluster",
        "district",
        "city",
    }
    assert set(Publication.objects.values_list("state", flat=True)) == set(Publication.State.values)
    decided = ReviewCase.objects.filter(state__in=["approved", "returned", "resubmitted", "rejected"])
    assert Minutes.objects.count() == decided.count()
    assert PublicationEvent.objects.filter(action="published").count() == Publication.objects.count()
    assert not ReviewCase.objects.filter(level__in=["cluster", "district", "city"], panel=None).exists()
    assert Panel.objects.filter(memberships__is_chair=True).distinct().count() == Panel.objects.count()
    # Paths as Unit.save() computes them; counters add up the usage rows.
    for department in Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).select_related("parent")[:20]:
        assert department.path == f"{department.parent.path}{department.pk}/"
    counted = Publication.objects.annotate(
        views=Count("usage_days", filter=Q(usage_days__kind="view")),
        downloads=Count("usage_days", filter=Q(usage_days__kind="download")),
    )
    assert not counted.exclude(view_count=F("views"), download_count=F("downloads")).exists()
    assert counted.filter(downloads__gt=0).exists()
    assert RoleAssignment.objects.filter(role="department_head").count() == plan.departments

    lecture = Lecture.objects.filter(cases__state="approved").first()
    assert re.search(r"[ạảãáàâăđêôơư]", " ".join(Lecture.objects.values_list("title", flat=True)))
    client.force_login(lecture.author)
    page = client.get(lecture.get_absolute_url())
    assert page.status_code == 200 and lecture.title in page.content.decode()
    assert client.get(lecture.cases.first().get_absolute_url()).status_code == 200
    assert client.get("/library/?q=toan").status_code == 200


def test_refuses_a_database_with_real_users():
    """A real account (not made by load_city or load_demo) stops it before anything is written."""
    User.objects.create_user(
        username="nguyen.van.an", email="an@thcs-lequydon.edu.vn", full_name="Nguyễn Văn An"
    )
    units = Unit.objects.count()
    with pytest.raises(CommandError, match="tài khoản thật"):
        _load()
    assert Unit.objects.count() == units
    assert not Lecture.objects.exists() and not User.objects.filter(username__startswith="city.").exists()


def test_refuses_to_load_the_city_twice():
    """A second run on the same database is refused and adds nothing."""
    _load()
    lectures = Lecture.objects.count()
    with pytest.raises(CommandError, match="đã được nạp"):
        _load()
    assert Lecture.objects.count() == lectures


def test_postgres_load_puts_back_every_index_and_foreign_key():
    """On PostgreSQL the big tables' plain indexes and foreign keys are dropped for the load:
    afterwards every one of them is there again, as it was."""
    if connection.vendor != "postgresql":
        pytest.skip("COPY, indexes and keys dropped for the load: PostgreSQL only")
    from reports.management.commands.load_city import BIG_MODELS

    tables = [m._meta.db_table for m in BIG_MODELS]

    def shape():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = ANY(%s) ORDER BY 1, 2",
                [tables],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname = ANY(%s) ORDER BY 1, 2",
                [tables],
            )
            return indexes, cursor.fetchall()

    before = shape()
    assert len(before[0]) > 20 and any("FOREIGN KEY" in d for _t, _n, d in before[1])
    output = _load()
    assert shape() == before
    assert "khoá ngoại" in output and "repository_usageday" in output
    assert (
        Lecture.objects.filter(author__username__startswith="city.").count() == Plan.for_scale(SCALE).lectures
    )
