"""A co-author is credited and may follow the lecture, but only its owner acts on it: every endpoint
of an owner's action answers the co-author the same way (403, nothing changed)."""

import pytest

from reviews import lifecycle
from reviews import services as review_services
from reviews.models import CaseState, ReviewCase

from .conftest import attach_fixture

SCORM12 = "scorm/valid/moodle_singlescobasic_SCORM12.zip"


@pytest.fixture
def shared_lecture(make_lecture, demo, open_window, django_capture_on_commit_callbacks):
    """A checked lecture of demo.gv with demo.gv.van (same school) as co-author."""
    lecture = make_lecture(co_authors=[demo.user("demo.gv.van")])
    attach_fixture(lecture.versions.get(), demo.user("demo.gv"), SCORM12, django_capture_on_commit_callbacks)
    return lecture


def test_a_co_author_cannot_submit_on_any_endpoint(client, demo, shared_lecture):
    """The co-author sees the lecture without a submit button, and the submit POST is 403 with nothing opened."""
    client.force_login(demo.user("demo.gv.van"))
    page = client.get(shared_lecture.get_absolute_url())
    assert page.status_code == 200 and 'data-testid="submit-lecture"' not in page.content.decode()
    assert client.post(f"/lectures/{shared_lecture.pk}/submit/").status_code == 403
    assert not ReviewCase.objects.filter(lecture=shared_lecture).exists()
    assert lifecycle.lecture_status(shared_lecture, user=demo.user("demo.gv.van")).actions == set()


def test_a_co_author_cannot_withdraw_on_either_endpoint_and_the_owner_can(client, demo, shared_lecture):
    """Withdraw answers the co-author 403 on the lecture's URL and on the case's URL alike; the owner withdraws."""
    case = review_services.lecture_submit(lecture=shared_lecture, actor=demo.user("demo.gv"))
    client.force_login(demo.user("demo.gv.van"))
    page = client.get(shared_lecture.get_absolute_url()).content.decode()
    assert 'data-testid="withdraw-lecture"' not in page
    assert client.post(f"/lectures/{shared_lecture.pk}/withdraw/").status_code == 403
    assert client.post(f"/reviews/cases/{case.pk}/withdraw/").status_code == 403
    assert ReviewCase.objects.get(pk=case.pk).state == CaseState.IN_REVIEW
    client.force_login(demo.user("demo.gv"))
    assert 'data-testid="withdraw-lecture"' in client.get(shared_lecture.get_absolute_url()).content.decode()
    assert client.post(f"/reviews/cases/{case.pk}/withdraw/").status_code == 302
    assert ReviewCase.objects.get(pk=case.pk).state == CaseState.WITHDRAWN


def test_a_co_author_cannot_start_a_new_version_or_edit(client, demo, shared_lecture):
    """After a withdrawal only the owner may start the next version; the co-author's POST changes nothing."""
    review_services.lecture_submit(lecture=shared_lecture, actor=demo.user("demo.gv"))
    review_services.lecture_withdraw(lecture=shared_lecture, actor=demo.user("demo.gv"))
    client.force_login(demo.user("demo.gv.van"))
    assert client.post(f"/lectures/{shared_lecture.pk}/versions/new/").status_code == 403
    assert client.get(f"/lectures/{shared_lecture.pk}/edit/").status_code == 403
    assert shared_lecture.versions.count() == 1
    client.force_login(demo.user("demo.gv"))
    assert client.post(f"/lectures/{shared_lecture.pk}/versions/new/").status_code == 302
    assert shared_lecture.versions.count() == 2
