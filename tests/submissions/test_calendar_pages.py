"""The calendar pages: city leaders edit years and every window, district officers the windows of
their district; every other role gets 404 and changes nothing. Dates are checked in Vietnamese."""

import datetime

import pytest
from django.urls import reverse

from submissions import selectors, services
from submissions.models import AcademicYear, SubmissionWindow

pytestmark = pytest.mark.django_db

D = datetime.date
OTHER_ROLES = [
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
    year = services.academic_year_ensure(name="2026-2027")
    year.makeup1_starts_on, year.makeup2_starts_on = D(2027, 1, 4), D(2027, 3, 15)
    year.save()
    return year


def _window_post(year, **extra):
    data = {
        "year": year.pk,
        "unit": "",
        "name": "Đợt bổ sung",
        "opens_on": "2026-10-05",
        "closes_on": "2026-10-11",
        "review_days": "7",
        "kinds": ["lecture"],
        "school_levels": [],
    }
    data.update(extra)
    return data


def _snapshot():
    return (
        list(AcademicYear.objects.order_by("pk").values()),
        list(SubmissionWindow.objects.order_by("pk").values()),
    )


def test_the_leader_creates_a_year_and_the_three_standard_windows_once(client, demo):
    """A city leader enters a year with its make-up weeks, then one click makes the three windows
    of seed 000; a second click makes no more."""
    client.force_login(demo.user("demo.ldso"))
    page = client.get(reverse("calendar:index"))
    assert page.status_code == 200
    response = client.post(
        reverse("calendar:year_new"),
        {
            "name": "2027-2028",
            "starts_on": "2027-08-01",
            "semester1_ends_on": "2028-01-15",
            "ends_on": "2028-05-31",
            "makeup1_starts_on": "2028-01-03",
            "makeup2_starts_on": "2028-05-15",
        },
    )
    assert response.status_code == 302
    year = AcademicYear.objects.get(name="2027–2028")
    for _ in range(2):
        assert client.post(reverse("calendar:year_standard_windows", args=[year.pk])).status_code == 302
    windows = list(year.windows.order_by("opens_on"))
    assert [(w.slot, w.opens_on, w.closes_on) for w in windows] == [
        ("august", D(2027, 8, 16), D(2027, 8, 22)),
        ("makeup_1", D(2028, 1, 3), D(2028, 1, 9)),
        ("makeup_2", D(2028, 5, 15), D(2028, 5, 21)),
    ]
    page = client.get(reverse("calendar:index"))
    assert "Thời điểm 2: tuần dạy bù học kì I" in page.content.decode()
    # A GET on the one-click address changes nothing.
    assert client.get(reverse("calendar:year_standard_windows", args=[year.pk])).status_code == 405


def test_year_dates_are_checked_in_vietnamese(client, demo, year):
    """Semester I outside the year and a make-up week not on a Monday are refused, by field."""
    client.force_login(demo.user("demo.ldso"))
    before = _snapshot()
    response = client.post(
        reverse("calendar:year_edit", args=[year.pk]),
        {
            "name": "2026-2027",
            "starts_on": "2026-08-01",
            "semester1_ends_on": "2027-06-20",
            "ends_on": "2027-05-31",
            "makeup1_starts_on": "2027-01-05",
            "makeup2_starts_on": "",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Học kì I phải kết thúc" in errors["semester1_ends_on"][0]
    response = client.post(
        reverse("calendar:year_edit", args=[year.pk]),
        {
            "name": "2026-2027",
            "starts_on": "2026-08-01",
            "semester1_ends_on": "2027-01-17",
            "ends_on": "2027-05-31",
            "makeup1_starts_on": "2027-01-05",
            "makeup2_starts_on": "2027-01-11",
        },
    )
    errors = response.context["form"].errors
    assert "thứ Hai" in errors["makeup1_starts_on"][0]
    assert "phải nằm trong học kì II" in errors["makeup2_starts_on"][0]
    assert _snapshot() == before


def test_window_rules_overlap_order_and_year(client, demo, year):
    """Closing before opening, lying outside the year and overlapping a window of the same kind
    and scope are refused with a Vietnamese message; the form keeps what was typed."""
    services.windows_create_standard(year=year)
    client.force_login(demo.user("demo.ldso"))
    before = _snapshot()
    url = reverse("calendar:window_new")
    bad = client.post(url, _window_post(year, opens_on="2026-10-11", closes_on="2026-10-05"))
    assert bad.status_code == 400
    assert "Ngày đóng phải bằng hoặc sau ngày mở." in bad.content.decode()
    assert 'value="2026-10-11"' in bad.content.decode()
    outside = client.post(url, _window_post(year, opens_on="2027-07-01", closes_on="2027-07-07"))
    assert "phải nằm trong năm học 2026–2027" in outside.content.decode()
    overlap = client.post(url, _window_post(year, opens_on="2027-01-08", closes_on="2027-01-14"))
    assert "Trùng thời gian với đợt “Thời điểm 2: tuần dạy bù học kì I”" in overlap.content.decode()
    assert _snapshot() == before
    # Another kind in the same week, or the same kind for one district, is fine.
    ok = client.post(
        url, _window_post(year, opens_on="2027-01-08", closes_on="2027-01-14", kinds=["lesson_plan"])
    )
    assert ok.status_code == 302
    ok = client.post(
        url, _window_post(year, opens_on="2027-01-08", closes_on="2027-01-14", unit=demo.unit("PGD-HB").pk)
    )
    assert ok.status_code == 302


def test_a_district_officer_manages_only_their_districts_windows(client, demo, year):
    """The officer creates and edits a window of their district, reads the city's, and gets 404
    on the city's windows, another district's and the year pages; the window applies only to
    the schools of their district."""
    services.windows_create_standard(year=year)
    city_window = year.windows.get(slot="august")
    other = SubmissionWindow.objects.create(
        year=year, unit=demo.unit("PGD-LC"), name="Lê Chân", opens_on=D(2026, 11, 2), closes_on=D(2026, 11, 8)
    )
    officer = demo.user("demo.phong")
    client.force_login(officer)
    page = client.get(reverse("calendar:index"))
    assert page.status_code == 200
    text = page.content.decode()
    assert city_window.name in text and "Lê Chân" not in text
    assert reverse("calendar:window_edit", args=[city_window.pk]) not in text
    response = client.post(
        reverse("calendar:window_new"), _window_post(year, unit=demo.unit("PGD-HB").pk, name="Hồng Bàng")
    )
    assert response.status_code == 302
    mine = SubmissionWindow.objects.get(name="Hồng Bàng")
    assert mine.unit == demo.unit("PGD-HB")
    response = client.post(
        reverse("calendar:window_edit", args=[mine.pk]),
        _window_post(year, unit=demo.unit("PGD-HB").pk, name="Hồng Bàng – bổ sung", review_days="10"),
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.name, mine.review_days) == ("Hồng Bàng – bổ sung", 10)

    before = _snapshot()
    for target in (city_window, other):
        assert client.get(reverse("calendar:window_edit", args=[target.pk])).status_code == 404
        assert (
            client.post(reverse("calendar:window_edit", args=[target.pk]), _window_post(year)).status_code
            == 404
        )
    # A city-wide window or another district's is not a choice.
    for unit in ("", demo.unit("PGD-LC").pk):
        refused = client.post(reverse("calendar:window_new"), _window_post(year, unit=unit, name="X"))
        assert refused.status_code == 400
    assert client.get(reverse("calendar:year_new")).status_code == 404
    assert client.post(reverse("calendar:year_standard_windows", args=[year.pk])).status_code == 404
    assert _snapshot() == before

    # The district's window is open to its schools only.
    day = D(2026, 10, 6)
    hb_school, lc_school = demo.unit("THCS-LQD"), demo.unit("TH-NGUYENTRAI")
    assert selectors.window_open_on(day, school_level="lower_secondary", school=hb_school) == mine
    assert selectors.window_open_on(day, school_level="primary", school=lc_school) is None


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_other_roles_get_404_and_change_nothing(client, demo, year, username):
    """Teachers, heads, principals, specialists, cluster heads and school admins have no calendar."""
    services.windows_create_standard(year=year)
    window = year.windows.first()
    client.force_login(demo.user(username))
    before = _snapshot()
    for url in (
        reverse("calendar:index"),
        reverse("calendar:year_new"),
        reverse("calendar:year_edit", args=[year.pk]),
        reverse("calendar:window_new"),
        reverse("calendar:window_edit", args=[window.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, _window_post(year)).status_code == 404, url
    assert client.post(reverse("calendar:year_standard_windows", args=[year.pk])).status_code == 404
    assert _snapshot() == before
    assert reverse("calendar:index") not in client.get(reverse("home")).content.decode()


def test_the_menu_shows_the_calendar_to_officers_and_leaders(client, demo):
    for username in ("demo.ldso", "demo.phong"):
        client.force_login(demo.user(username))
        assert reverse("calendar:index") in client.get(reverse("home")).content.decode(), username


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("calendar:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_standard_windows_need_the_make_up_weeks_and_a_free_week(client, demo):
    """Without make-up weeks, or over a window added by hand, the one click explains why and
    creates nothing."""
    client.force_login(demo.user("demo.ldso"))
    year = services.academic_year_ensure(name="2026-2027")
    url = reverse("calendar:year_standard_windows", args=[year.pk])
    page = client.post(url, follow=True).content.decode()
    assert "chưa có ngày bắt đầu tuần dạy bù học kì I và II" in page
    assert not year.windows.exists()
    year.makeup1_starts_on, year.makeup2_starts_on = D(2027, 1, 4), D(2027, 3, 15)
    year.save()
    SubmissionWindow.objects.create(
        year=year, name="Đợt thử", opens_on=D(2027, 1, 6), closes_on=D(2027, 1, 8), kinds=["lecture"]
    )
    page = client.post(url, follow=True).content.decode()
    assert "trùng thời gian với đợt “Đợt thử”" in page
    assert list(year.windows.values_list("name", flat=True)) == ["Đợt thử"]


def test_the_home_page_says_which_window_is_open_or_next(client, demo):
    """Officers and leaders read on their home page the open window and until when, or the next."""
    from django.utils import timezone

    today = timezone.localdate()
    year = services.academic_year_ensure(name="2026-2027")
    AcademicYear.objects.filter(pk=year.pk).update(
        starts_on=today - datetime.timedelta(days=100), ends_on=today + datetime.timedelta(days=200)
    )
    client.force_login(demo.user("demo.phong"))
    assert "Chưa có đợt nộp nào sắp tới" in client.get(reverse("home")).content.decode()
    SubmissionWindow.objects.create(
        year=year,
        name="Đợt thu",
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=5),
    )
    home = client.get(reverse("home")).content.decode()
    assert "Đang mở: Đợt thu, đến hết ngày" in home
    assert (today + datetime.timedelta(days=5)).strftime("%d/%m/%Y") in home
    client.force_login(demo.user("demo.gv"))
    assert "Đợt thu, đến hết ngày" not in client.get(reverse("home")).content.decode()
