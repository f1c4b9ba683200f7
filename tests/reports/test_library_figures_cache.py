"""The city's approved-list count and coverage are kept in the cache between views (a grouped
count over every publication of the city), yet a publication or a retraction shows on the next
view, and users who may list different rows never share a count."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.services import publication_retract
from tests.repository.factories import publish_new

pytestmark = pytest.mark.django_db


def _count(client, user, unit):
    client.force_login(user)
    response = client.get(reverse("reports:approved_list"), {"unit": unit.pk})
    assert response.status_code == 200
    return response.context["count"]


def _coverage(client, user, unit):
    client.force_login(user)
    response = client.get(reverse("repository:coverage", args=[unit.pk]))
    assert response.status_code == 200
    return {(r.subject.code, r.grade): dict(r.counts) for r in response.context["coverage"]}


def test_count_and_coverage_follow_a_publication_and_a_retraction_at_once(
    demo, client, django_capture_on_commit_callbacks
):
    leader, city = demo.user("demo.ldso"), demo.unit("SGD")
    publish_new(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), city, grade=6)
    before, grid = _count(client, leader, city), _coverage(client, leader, city)
    assert before == 1 and grid[("toan", 6)]["city"] == 1
    with CaptureQueriesContext(connection) as second:
        assert _count(client, leader, city) == before
    assert not any(
        "repository_publication" in q["sql"] and "COUNT(" in q["sql"] for q in second.captured_queries
    )

    with django_capture_on_commit_callbacks(execute=True):
        publication = publish_new(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), grade=8, title="Đa thức")
    assert _count(client, leader, city) == before + 1
    assert _coverage(client, leader, city)[("toan", 8)]["school"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        publication_retract(publication=publication, actor=demo.user("demo.ht"), reason="Sai nội dung")
    assert _count(client, leader, city) == before
    assert _coverage(client, leader, city) == grid


def test_users_who_list_different_rows_do_not_share_the_count(demo, client):
    """The district officer lists the district's lectures; the city's subject specialist lists
    only their subjects: for the same unit and filters each gets their own count, in both orders."""
    publish_new(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), grade=6)
    publish_new(
        demo.user("demo.gv.van"), demo.unit("THCS-LQD-VAN"), subject="ngu-van", grade=7, title="Bài thơ"
    )
    district = demo.unit("PGD-HB")
    officer, specialist = demo.user("demo.phong"), demo.user("demo.cvso")
    assert _count(client, officer, district) == 2
    assert _count(client, specialist, district) == 1
    cache.clear()
    assert _count(client, specialist, district) == 1
    assert _count(client, officer, district) == 2
