"""A district's own dates in the city's year: its officer moves the end of semester I and the
make-up weeks for the district's schools, and creates the standard windows on those dates; every
date computed for a school (its windows, the semester periods of lists and reports) follows its
district's dates through `effective_calendar`. Everyone else gets 404 and changes nothing."""

import datetime

import pytest
from django.urls import reverse

from reports.selectors import periods
from reports.semester.figures import report_period
from submissions import selectors, services
from submissions.calendar_selectors import effective_calendar
from submissions.models import AcademicYear, DistrictCalendar, SubmissionWindow

pytestmark = pytest.mark.django_db

D = datetime.date
OTHER_ROLES = [
    "demo.phong.lc",
    "demo.gv",
    "demo.tt",
    "demo.ht",
    "demo.pht",
    "demo.cvso",
    "demo.cumtruong",
    "demo.qtt",
    "demo.hds.ct",
    "demo.hdq.ct",
]


@pytest.fixture
def year(demo):
    year = services.academic_year_ensure(name="2026-2027")  # 01/08/2026 – 17/01/2027 – 31/05/2027
    year.makeup1_starts_on, year.makeup2_starts_on = D(2027, 1, 4), D(2027, 3, 15)
    year.save()
    return year


def _post(semester1="", makeup1="", makeup2=""):
    return {"semester1_ends_on": semester1, "makeup1_starts_on": makeup1, "makeup2_starts_on": makeup2}


def _snapshot():
    return (
        list(AcademicYear.objects.order_by("pk").values()),
        list(DistrictCalendar.objects.order_by("pk").values()),
        list(SubmissionWindow.objects.order_by("pk").values()),
    )


def _edit_url(year, district):
    return reverse("calendar:district_edit", args=[year.pk, district.pk])


def _windows_url(year, district):
    return reverse("calendar:district_standard_windows", args=[year.pk, district.pk])


def test_a_districts_dates_fall_back_to_the_citys_for_what_it_leaves_empty(demo, year):
    """The district's schools and departments live by its dates; another district's schools and
    the upper-secondary schools under the city keep the city's."""
    hb = demo.unit("PGD-HB")
    DistrictCalendar.objects.create(year=year, district=hb, makeup1_starts_on=D(2027, 1, 11))
    for unit in (hb, demo.unit("THCS-LQD"), demo.unit("THCS-LQD").children.first()):
        dates = effective_calendar(year, unit)
        assert (dates.makeup1_starts_on, dates.makeup2_starts_on) == (D(2027, 1, 11), D(2027, 3, 15))
        assert dates.semester1_ends_on == D(2027, 1, 17) and dates.own == {"makeup1_starts_on"}
    for unit in (None, demo.unit("SGD"), demo.unit("TH-NGUYENTRAI"), demo.unit("THPT-TRANPHU")):
        dates = effective_calendar(year, unit)
        assert (dates.makeup1_starts_on, dates.own) == (D(2027, 1, 4), frozenset()), unit


def test_the_officer_sets_the_make_up_week_and_creates_the_districts_standard_windows(client, demo, year):
    """The officer saves the district's make-up week of semester I, then one click makes the three
    windows of the district on its dates; they stand in for the city's for its schools only."""
    services.windows_create_standard(year=year)
    hb = demo.unit("PGD-HB")
    client.force_login(demo.user("demo.phong"))
    page = client.get(reverse("calendar:index")).content.decode()
    assert "Lịch của Phòng GDĐT quận Hồng Bàng" in page and "Đang theo lịch của Sở." in page
    assert "Phòng GDĐT quận Lê Chân" not in page
    form = client.get(_edit_url(year, hb))
    assert form.status_code == 200 and "theo lịch của Sở (04/01/2027)" in form.content.decode()

    response = client.post(_edit_url(year, hb), _post(makeup1="2027-01-11"), follow=True)
    assert "Đã lưu lịch riêng của Phòng GDĐT quận Hồng Bàng năm học 2026–2027." in response.content.decode()
    own = DistrictCalendar.objects.get(year=year, district=hb)
    assert (own.semester1_ends_on, own.makeup1_starts_on, own.makeup2_starts_on) == (
        None,
        D(2027, 1, 11),
        None,
    )
    year.refresh_from_db()
    assert year.makeup1_starts_on == D(2027, 1, 4)  # the city's year is untouched

    for _ in range(2):
        response = client.post(_windows_url(year, hb), follow=True)
    assert "Đã tạo ba đợt nộp chuẩn của Phòng GDĐT quận Hồng Bàng cho năm học 2026–2027." in (
        response.content.decode()
    )
    mine = list(SubmissionWindow.objects.filter(unit=hb).order_by("opens_on"))
    assert [(w.slot, w.opens_on, w.closes_on) for w in mine] == [
        ("august", D(2026, 8, 17), D(2026, 8, 23)),
        ("makeup_1", D(2027, 1, 11), D(2027, 1, 17)),
        ("makeup_2", D(2027, 3, 15), D(2027, 3, 21)),
    ]
    assert SubmissionWindow.objects.filter(unit__isnull=True).count() == 3
    page = client.get(reverse("calendar:index")).content.decode()
    assert page.count("Các trường của quận/huyện nộp theo đợt riêng của quận/huyện.") == 3

    hb_school, lc_school = demo.unit("THCS-LQD"), demo.unit("TH-NGUYENTRAI")
    # The city's make-up week: open for Lê Chân, not for Hồng Bàng any more.
    assert selectors.window_open_on(D(2027, 1, 5), school_level="lower_secondary", school=hb_school) is None
    assert selectors.window_open_on(D(2027, 1, 5), school_level="primary", school=lc_school).unit is None
    # Hồng Bàng's week: its own window.
    assert (
        selectors.window_open_on(D(2027, 1, 12), school_level="lower_secondary", school=hb_school) == mine[1]
    )
    assert selectors.window_open_on(D(2027, 1, 12), school_level="primary", school=lc_school) is None
    assert (
        selectors.window_next_after(D(2027, 1, 1), school_level="lower_secondary", school=hb_school)
        == mine[1]
    )


def test_the_district_dates_are_checked_in_vietnamese_and_nothing_is_saved(client, demo, year):
    """Semester I ending outside the year, a make-up week not on a Monday or in the wrong
    semester (the district's own semester) are refused by field; what was typed stays."""
    hb = demo.unit("PGD-HB")
    client.force_login(demo.user("demo.phong"))
    before = _snapshot()
    response = client.post(_edit_url(year, hb), _post(semester1="2027-06-10"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["semester1_ends_on"] == [
        "Học kì I phải kết thúc sau ngày bắt đầu và trước ngày kết thúc năm học (01/08/2026–31/05/2027)."
    ]
    response = client.post(
        _edit_url(year, hb), _post(semester1="2027-01-10", makeup1="2027-01-12", makeup2="2027-01-04")
    )
    errors = response.context["form"].errors
    assert errors["makeup1_starts_on"] == [
        "Tuần dạy bù phải bắt đầu vào thứ Hai (12/01/2027 không phải thứ Hai)."
    ]
    assert errors["makeup2_starts_on"] == [
        "Tuần dạy bù học kì II phải nằm trong học kì II (11/01/2027–31/05/2027)."
    ]
    assert 'value="2027-01-12"' in response.content.decode()
    # The city's make-up week of semester I falls after the district's end of semester I.
    response = client.post(_edit_url(year, hb), _post(semester1="2026-12-31"))
    assert (
        "Tuần dạy bù học kì I phải nằm trong học kì I (01/08/2026–31/12/2026)."
        in (response.context["form"].errors["makeup1_starts_on"])
    )
    assert _snapshot() == before


def test_emptying_every_date_puts_the_district_back_on_the_citys_calendar(client, demo, year):
    hb = demo.unit("PGD-HB")
    DistrictCalendar.objects.create(year=year, district=hb, makeup2_starts_on=D(2027, 3, 22))
    client.force_login(demo.user("demo.phong"))
    response = client.post(_edit_url(year, hb), _post(), follow=True)
    assert "Phòng GDĐT quận Hồng Bàng theo lịch của Sở năm học 2026–2027." in response.content.decode()
    assert not DistrictCalendar.objects.exists()


def test_the_city_cannot_move_its_year_from_under_a_districts_dates(client, demo, year):
    """The leader's year edit is refused when a district's make-up week would fall outside it."""
    DistrictCalendar.objects.create(year=year, district=demo.unit("PGD-HB"), makeup2_starts_on=D(2027, 5, 24))
    client.force_login(demo.user("demo.ldso"))
    before = _snapshot()
    response = client.post(
        reverse("calendar:year_edit", args=[year.pk]),
        {
            "name": "2026-2027",
            "starts_on": "2026-08-01",
            "semester1_ends_on": "2027-01-17",
            "ends_on": "2027-05-20",
            "makeup1_starts_on": "2027-01-04",
            "makeup2_starts_on": "2027-03-15",
        },
    )
    assert response.status_code == 400
    assert "Lịch riêng của Phòng GDĐT quận Hồng Bàng sẽ không còn hợp lệ" in response.content.decode()
    assert _snapshot() == before


def test_the_leader_reads_and_may_edit_a_districts_dates(client, demo, year):
    hb = demo.unit("PGD-HB")
    DistrictCalendar.objects.create(year=year, district=hb, makeup1_starts_on=D(2027, 1, 11))
    client.force_login(demo.user("demo.ldso"))
    page = client.get(reverse("calendar:index")).content.decode()
    assert "Lịch của Phòng GDĐT quận Hồng Bàng" in page and "từ thứ Hai 11/01/2027" in page
    assert "Lịch của Phòng GDĐT quận Lê Chân" not in page  # it follows the city
    assert client.post(_edit_url(year, hb), _post(makeup1="2027-01-04")).status_code == 302
    assert DistrictCalendar.objects.get().makeup1_starts_on == D(2027, 1, 4)


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_other_roles_and_other_districts_get_404_and_change_nothing(client, demo, year, username):
    """Another district's officer, school roles, specialists, panels and teachers: 404 on the
    district's dates and its one-click windows, GET or POST, and nothing changes."""
    hb = demo.unit("PGD-HB")
    DistrictCalendar.objects.create(year=year, district=hb, makeup1_starts_on=D(2027, 1, 11))
    client.force_login(demo.user(username))
    before = _snapshot()
    assert client.get(_edit_url(year, hb)).status_code == 404
    assert client.post(_edit_url(year, hb), _post(makeup1="2027-01-18")).status_code == 404
    assert client.post(_windows_url(year, hb)).status_code == 404
    assert _snapshot() == before


def test_a_unit_that_is_not_a_district_and_a_get_on_the_one_click_are_refused(client, demo, year):
    client.force_login(demo.user("demo.phong"))
    school = demo.unit("THCS-LQD")
    assert client.get(_edit_url(year, school)).status_code == 404
    assert client.get(_windows_url(year, demo.unit("PGD-HB"))).status_code == 405
    assert not SubmissionWindow.objects.exists()


def test_lists_and_semester_reports_use_the_districts_end_of_semester_one(demo, year):
    """The semester periods offered for a school or its district end on the district's date; the
    city's and another district's on the city's."""
    DistrictCalendar.objects.create(year=year, district=demo.unit("PGD-HB"), semester1_ends_on=D(2027, 1, 10))

    def semesters(unit):
        return {p.kind: (p.starts_on, p.ends_on) for p in periods(unit) if p.year_id == year.pk}

    for unit in (demo.unit("PGD-HB"), demo.unit("THCS-LQD")):
        assert semesters(unit)["semester1"] == (D(2026, 8, 1), D(2027, 1, 10))
        assert semesters(unit)["semester2"] == (D(2027, 1, 11), D(2027, 5, 31))
        assert report_period(year, "semester1", unit).ends_on == D(2027, 1, 10)
    for unit in (None, demo.unit("SGD"), demo.unit("PGD-LC")):
        assert semesters(unit)["semester1"] == (D(2026, 8, 1), D(2027, 1, 17))
        assert report_period(year, "semester1", unit).ends_on == D(2027, 1, 17)
