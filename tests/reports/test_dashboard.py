"""The dashboards: their figures agree with counts made independently here for a school, a district
and the city; each role opens only its scope's dashboards; the figures follow an approval."""

import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Unit
from repository.models import Publication
from repository.services import usage_record
from reviews.models import CaseState, ReviewCase
from submissions.models import Lecture
from tests.reports.builders import FORMULA_TITLE, district_with_lectures, van_lecture
from tests.workflow import approve, reject, submit

pytestmark = pytest.mark.django_db

UNITS = ["SGD", "PGD-HB", "PGD-LC", "CUM-THPT1", "THCS-LQD", "THPT-TRANPHU", "TH-NGUYENTRAI"]
ALLOWED = {
    "demo.ldso": set(UNITS),
    "demo.cvso": set(UNITS),
    "demo.phong": {"PGD-HB", "THCS-LQD"},
    "demo.phong.lc": {"PGD-LC", "TH-NGUYENTRAI"},
    "demo.ht": {"THCS-LQD"},
    "demo.pht": {"THCS-LQD"},
    "demo.ht.thpt": {"THPT-TRANPHU"},
    "demo.cumtruong": {"CUM-THPT1", "THPT-TRANPHU"},
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def tables_of(client, unit):
    page = client.get(reverse("reports:dashboard_unit", args=[unit.pk]))
    assert page.status_code == 200
    return {t.key: t for t in page.context["tables"]}, page


def _expected(unit, subject_ids=None):
    """Counts made here from the models, not through the dashboard's code."""
    lectures = Lecture.objects.filter(school__path__startswith=unit.path)
    if subject_ids:
        lectures = lectures.filter(subject_id__in=subject_ids)
    cases = ReviewCase.objects.filter(lecture__in=lectures).exclude(state=CaseState.DRAFT)
    approved_lectures = {
        p.lecture_id for p in Publication.objects.filter(lecture__in=lectures, state=Publication.State.ACTIVE)
    }
    per_school = {}
    for school in Unit.objects.filter(kind=Unit.Kind.SCHOOL, is_active=True, path__startswith=unit.path):
        mine = [lec for lec in lectures if lec.school_id == school.pk]
        submitted = {c.lecture_id for c in cases if c.lecture.school_id == school.pk}
        per_school[school.name] = [len(submitted), len([lec for lec in mine if lec.pk in approved_lectures])]
    by_level = {}
    for case in cases:
        by_level.setdefault(case.get_level_display(), {}).setdefault(case.get_state_display(), 0)
        by_level[case.get_level_display()][case.get_state_display()] += 1
    return per_school, by_level, len(approved_lectures)


def _check(tables, unit, subject_ids=None):
    per_school, by_level, approved = _expected(unit, subject_ids)
    assert {r[0]: r[1:] for r in tables["by_school"].rows} == per_school
    columns = tables["cases_by_level"].columns
    for row in tables["cases_by_level"].rows:
        found = {columns[i]: v for i, v in enumerate(row) if 0 < i < len(row) - 1 and v}
        assert found == by_level.get(row[0], {}), row[0]
    assert sum(r[2] for r in tables["by_subject"].rows) == approved


def test_figures_match_counts_for_a_school_a_district_and_the_city(client, demo):
    """School, district and city dashboards show what the models hold, per school, level and state."""
    district_with_lectures(demo, schools=2, per_school=3)
    van_lecture(demo)
    reject(submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Bài bị từ chối"))
    for username, code in [("demo.ht", "THCS-LQD"), ("demo.phong", "PGD-HB"), ("demo.ldso", "SGD")]:
        client.force_login(demo.user(username))
        tables, _page = tables_of(client, demo.unit(code))
        _check(tables, demo.unit(code))
    # The district holds 2 × 3 lectures of the new schools, the Ngữ văn one and the rejected one.
    client.force_login(demo.user("demo.phong"))
    tables, _page = tables_of(client, demo.unit("PGD-HB"))
    assert sum(r[1] for r in tables["by_school"].rows) == 8
    assert sum(r[2] for r in tables["by_school"].rows) == 7


def test_a_city_specialist_sees_only_their_subject(client, demo):
    """The Toán specialist's city dashboard counts Toán lectures only, and says so."""
    district_with_lectures(demo, schools=1, per_school=2)
    van_lecture(demo)
    client.force_login(demo.user("demo.cvso"))
    tables, page = tables_of(client, demo.unit("SGD"))
    assert [r[0] for r in tables["by_subject"].rows] == ["Toán"]
    _check(tables, demo.unit("SGD"), subject_ids=[demo.user("demo.cvso").roles.get().subject_id])
    assert "Toán" in page.content.decode()
    assert "Ngữ văn" not in str(tables["by_subject"].rows)


def test_each_role_opens_only_its_scopes_dashboards(client, demo):
    """Every demo role, every unit: 200 where allowed, 404 elsewhere, for the page and the Excel file."""
    for username in sorted(n for n in demo.users if n.startswith("demo.")):
        client.force_login(demo.user(username))
        for code in UNITS:
            allowed = code in ALLOWED.get(username, set())
            unit = demo.unit(code)
            page = client.get(reverse("reports:dashboard_unit", args=[unit.pk]))
            assert page.status_code == (200 if allowed else 404), (username, code)
            export = client.get(reverse("reports:dashboard_export", args=[unit.pk]))
            assert export.status_code == (200 if allowed else 404), (username, code)
        own = client.get(reverse("reports:dashboard"))
        assert own.status_code == (200 if username in ALLOWED else 404), username


def test_the_excel_export_holds_the_tables(client, demo):
    """The workbook has a sheet per table with its header row and the same numbers as the page."""
    district_with_lectures(demo, schools=2, per_school=2)
    formula = Publication.objects.get(lecture__title=FORMULA_TITLE)
    usage_record(publication=formula, user=demo.user("demo.gv"), kind="view")
    client.force_login(demo.user("demo.phong"))
    tables, _page = tables_of(client, demo.unit("PGD-HB"))
    response = client.get(reverse("reports:dashboard_export", args=[demo.unit("PGD-HB").pk]))
    workbook = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    sheet = next(ws for ws in workbook.worksheets if "theo trường" in ws["A2"].value)
    assert [c.value for c in sheet[3]] == tables["by_school"].columns
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert rows == tables["by_school"].rows
    top = next(ws for ws in workbook.worksheets if "xem nhiều nhất" in ws["A2"].value)
    assert top["A4"].value == FORMULA_TITLE and top["A4"].data_type == "s"
    assert top["C4"].value == 1


def test_the_online_share_target_is_set_by_who_oversees_the_unit(client, demo):
    """The officer sets the district's target; a wrong value is refused in Vietnamese; the specialist cannot."""
    district = demo.unit("PGD-HB")
    url = reverse("reports:dashboard_target", args=[district.pk])
    client.force_login(demo.user("demo.phong"))
    tables, _page = tables_of(client, district)
    assert tables["online_share"].rows[0][1] == 35
    page = client.post(url, {"online_share": "150"}, follow=True)
    assert "từ 1 đến 100" in page.content.decode()
    client.post(url, {"online_share": "40"})
    tables, _page = tables_of(client, district)
    assert tables["online_share"].rows[0][1] == 40
    client.force_login(demo.user("demo.cvso"))
    assert client.post(url, {"online_share": "10"}).status_code == 404
    client.force_login(demo.user("demo.phong"))
    tables, _page = tables_of(client, district)
    assert tables["online_share"].rows[0][1] == 40


def test_without_a_catalogue_coverage_falls_back_to_lesson_titles(client, demo):
    """No catalogue: the coverage table counts distinct titles and the page says so."""
    approve(submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Phân số"))
    submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Số thập phân")
    client.force_login(demo.user("demo.ht"))
    tables, page = tables_of(client, demo.unit("THCS-LQD"))
    assert tables["coverage"].rows == [["Toán", 6, 1, 2, 50.0]]
    assert "Chưa có danh mục bài học" in page.content.decode()


def test_overdue_reviews_and_turnaround_match_the_cases(client, demo):
    """A case past its due date shows under its department; turnaround is the median and 90th
    percentile of decided cases' days, computed here from their dates."""
    import datetime

    from django.utils import timezone

    from tests.workflow import overdue_window

    late = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Quá hạn", window=overdue_window())
    decided = [
        approve(submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title=f"Bài {i}")) for i in range(3)
    ]
    for i, case in enumerate(decided):  # decided 1, 2 and 10 days after opening
        ReviewCase.objects.filter(pk=case.pk).update(
            decided_at=case.opened_at + datetime.timedelta(days=[1, 2, 10][i])
        )
    client.force_login(demo.user("demo.phong"))
    tables, _page = tables_of(client, demo.unit("PGD-HB"))
    due = ReviewCase.objects.get(pk=late.pk).due_on
    assert tables["overdue_by_unit"].rows == [
        [f"{late.unit.name} – {late.unit.parent.name}", 1, (timezone.localdate() - due).days]
    ]
    school_row = tables["turnaround"].rows[0]
    assert school_row == ["Cấp trường", 3, 2.0, 10.0]


def test_silent_schools_follow_the_window_that_applies_to_each_district(client, demo):
    """A district's own standard window stands in for the city's of the same slot for its schools
    only: a Hồng Bàng school is listed under its district's window, a Lê Chân school under the city's."""
    import datetime

    from django.utils import timezone

    from submissions import services as submission_services
    from submissions.models import SubmissionWindow

    today = timezone.localdate()
    year = submission_services.academic_year_ensure(name="2026-2027")
    span = {"opens_on": today - datetime.timedelta(days=1), "closes_on": today + datetime.timedelta(days=5)}
    slot = SubmissionWindow.Slot.MAKEUP_1
    SubmissionWindow.objects.create(year=year, slot=slot, name="Đợt thành phố", kinds=["lecture"], **span)
    SubmissionWindow.objects.create(
        year=year, slot=slot, unit=demo.unit("PGD-HB"), name="Đợt quận Hồng Bàng", kinds=["lecture"], **span
    )
    client.force_login(demo.user("demo.ldso"))
    tables, _page = tables_of(client, demo.unit("SGD"))
    listed = {(row[0], row[1].split(" (")[0]) for row in tables["silent_schools"].rows}
    hb, lc = demo.unit("THCS-LQD").name, demo.unit("TH-NGUYENTRAI").name
    assert (hb, "Đợt quận Hồng Bàng") in listed
    assert (hb, "Đợt thành phố") not in listed
    assert (lc, "Đợt thành phố") in listed
    assert (lc, "Đợt quận Hồng Bàng") not in listed
