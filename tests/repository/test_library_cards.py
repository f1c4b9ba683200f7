"""The library lists a lecture once, with its highest scope, badges for the others and counts next
to each filter option (DESIGN.md §6)."""

import pytest
from django.urls import reverse

from repository.selectors import LibraryFilters, library_publications
from reviews.services import publication_retract
from tests.workflow import staff_nguyen_trai

from .factories import make_lecture, make_version, publish, publish_new


@pytest.fixture
def everywhere(demo):
    """demo.gv's lecture published at the school, the district and the city, and a second
    lecture at the school only."""
    gv, dept = demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN")
    lecture = make_lecture(gv, dept, grade=6, title="Phân số với tử và mẫu là số nguyên")
    version = make_version(lecture, kind="none")
    pubs = {scope: publish(version, demo.unit(scope)) for scope in ["THCS-LQD-TOAN", "PGD-HB", "SGD"]}
    other = make_lecture(gv, dept, grade=7, title="Tỉ lệ thức")
    pubs["other"] = publish(make_version(other, kind="none"), dept)
    return pubs


def test_one_card_per_lecture_with_highest_scope_and_badges(everywhere, demo, client):
    """A lecture at school, district and city is one card at the city, with the other two as badges."""
    client.force_login(demo.user("demo.ht"))
    response = client.get(reverse("repository:library"))
    cards = response.context["cards"]
    assert [c["pub"] for c in cards].count(everywhere["SGD"]) == 1
    assert {c["pub"] for c in cards} == {everywhere["SGD"], everywhere["other"]}
    city = next(c for c in cards if c["pub"] == everywhere["SGD"])
    assert [p.scope.code for p in city["others"]] == ["PGD-HB", "THCS-LQD"]
    assert city["latest"] == everywhere["SGD"]
    assert response.context["page"].paginator.count == 2
    html = response.content.decode()
    assert html.count('data-testid="library-item"') == 2
    assert html.count('data-testid="scope-other"') == 2


def test_filter_by_scope_lists_the_lecture_once(everywhere, demo):
    """Filtered to the school's library, the lecture is listed once, from that library."""
    rows = list(
        library_publications(demo.user("demo.ht"), LibraryFilters(scope=everywhere["THCS-LQD-TOAN"].scope_id))
    )
    assert set(rows) == {everywhere["THCS-LQD-TOAN"], everywhere["other"]}


def test_latest_version_is_shown_when_a_lower_scope_has_a_newer_one(everywhere, demo, client):
    """A newer version approved at the school shows as the latest, while the city keeps the card."""
    lecture = everywhere["SGD"].lecture
    newer = publish(make_version(lecture, kind="none"), demo.unit("THCS-LQD-TOAN"))
    client.force_login(demo.user("demo.ht"))
    card = next(
        c for c in client.get(reverse("repository:library")).context["cards"] if c["pub"].lecture == lecture
    )
    assert card["pub"] == everywhere["SGD"] and card["latest"] == newer


@pytest.mark.parametrize(
    "name", ["scope", "subject", "grade", "school_level", "textbook_series", "format", "year"]
)
def test_option_counts_equal_the_results_of_selecting_them(everywhere, demo, client, name):
    """The number next to every filter option is the number of lectures selecting it lists."""
    client.force_login(demo.user("demo.ht"))
    facet = client.get(reverse("repository:library"), {"grade": 6} if name != "grade" else {}).context[
        "facets"
    ][name]
    assert facet["options"]
    assert sum(n for _, _, n, _ in facet["options"]) > 0 or name in {"year", "textbook_series"}
    for value, _label, n, _selected in facet["options"]:
        params = {name: value} if name == "grade" else {name: value, "grade": 6}
        assert client.get(reverse("repository:library"), params).context["page"].paginator.count == n, value


VIETNAMESE = ["Ánh", "Dương", "Đỗ", "Kết nối", "Khác", "Vũ"]


def test_vietnamese_sort_in_python():
    """Names sort by ICU's Vietnamese rules: base letters first, đ after d, "Kết nối" before "Khác"."""
    from elearning.text import vi_sorted

    assert vi_sorted(["Vũ", "Khác", "Đỗ", "Kết nối", "Dương", "Ánh"]) == VIETNAMESE


@pytest.mark.postgres
def test_library_sorts_titles_in_vietnamese_collation_on_postgres(demo):
    """On PostgreSQL the library's title sort uses the ICU "vi" collation."""
    gv, dept = demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN")
    for title in ["Vũ", "Khác", "Đỗ", "Kết nối", "Dương", "Ánh"]:
        publish(make_version(make_lecture(gv, dept, title=title), kind="none"), dept)
    rows = library_publications(demo.user("demo.ht"), LibraryFilters(sort="title"))
    assert [p.lecture.title for p in rows] == VIETNAMESE


def _library(client, user, **params):
    """The library page as `user` sees it: (number of lectures listed, grade → option count)."""
    client.force_login(user)
    context = client.get(reverse("repository:library"), params).context
    grades = {value: n for value, _label, n, _selected in context["facets"]["grade"]["options"]}
    return context["page"].paginator.count, grades


def test_counts_follow_a_publication_and_a_retraction_at_once(
    demo, client, django_capture_on_commit_callbacks
):
    """The counts are kept between views, yet a lecture published or retracted shows in the number
    of lectures and in the option counts on the next view."""
    ht = demo.user("demo.ht")
    assert _library(client, ht) == _library(client, ht)  # the second view reads what the first kept
    before, grades = _library(client, ht)
    with django_capture_on_commit_callbacks(execute=True):
        publication = publish_new(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), grade=8, title="Đa thức")
    after, grades_after = _library(client, ht)
    assert after == before + 1 and grades_after[8] == grades[8] + 1
    with django_capture_on_commit_callbacks(execute=True):
        publication_retract(publication=publication, actor=ht, reason="Sai nội dung")
    assert _library(client, ht) == (before, grades)


def test_users_who_read_different_libraries_do_not_share_counts(demo, client):
    """A teacher of another school never sees, in the counts kept for the first one's library, a
    lecture only the first one's school reads; each sees their own."""
    mine = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), grade=6, title="Phân số")
    publish(make_version(mine, kind="none"), demo.unit("THCS-LQD-TOAN"))
    staff_nguyen_trai(demo)
    other = make_lecture(demo.user("demo.gv.th"), demo.unit("TH-NGUYENTRAI-K4"), grade=4, title="Phép chia")
    publish(make_version(other, kind="none"), demo.unit("TH-NGUYENTRAI-K4"))
    count, grades = _library(client, demo.user("demo.gv.th"))
    assert count == 1 and grades[4] == 1 and grades[6] == 0
    count, grades = _library(client, demo.user("demo.gv.van"))
    assert count == 1 and grades[4] == 0 and grades[6] == 1
    # And in the other order, on a filtered page.
    count, grades = _library(client, demo.user("demo.gv.van"), q="phep chia")
    assert count == 0 and grades[4] == 0
    count, grades = _library(client, demo.user("demo.gv.th"), q="phep chia")
    assert count == 1 and grades[4] == 1


def test_a_case_moving_through_review_keeps_the_librarys_counts(
    demo, client, django_capture_on_commit_callbacks
):
    """In August cases move many times a minute: a submission and a return for changes clear the
    dashboards' figures of the school, not the library's counts, which publish nothing new; the
    next library view reads what the first kept (one query fewer) and shows the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.workflow import open_window, return_for_changes, submit

    ht = demo.user("demo.ht")
    open_window()
    first = _library(client, ht)
    with CaptureQueriesContext(connection) as cached:
        assert _library(client, ht) == first
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Hai tam giác bằng nhau")
        return_for_changes(case)
    with CaptureQueriesContext(connection) as after_review:
        assert _library(client, ht) == first
    assert len(after_review.captured_queries) == len(cached.captured_queries)
