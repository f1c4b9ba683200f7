"""The author chooses the licence of a draft; it is kept when the version is submitted."""

import pytest
from django.urls import reverse

from submissions.models import LectureVersion
from tests.workflow import make_draft, make_lecture, submit_lecture


@pytest.fixture
def lecture(demo):
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Đường tròn")
    make_draft(lecture)
    return lecture


def _licence(lecture) -> str:
    return LectureVersion.objects.filter(lecture=lecture).order_by("-number").first().licence


def test_a_draft_starts_all_rights_reserved_and_the_author_opens_it(client, demo, lecture):
    """The default is all rights reserved; the author picks CC BY-NC-SA on the lecture page."""
    assert _licence(lecture) == "all_rights_reserved"
    client.force_login(demo.user("demo.gv"))
    page = client.get(lecture.get_absolute_url()).content.decode()
    assert 'data-testid="licence-form"' in page and "CC BY-NC-SA 4.0" in page
    response = client.post(
        reverse("submissions:version_licence", args=[lecture.pk]), {"licence": "cc_by_nc_sa"}
    )
    assert response.status_code == 302
    assert _licence(lecture) == "cc_by_nc_sa"
    assert "Đã chọn giấy phép: CC BY-NC-SA 4.0" in client.get(lecture.get_absolute_url()).content.decode()


def test_an_unknown_licence_is_refused_in_vietnamese(client, demo, lecture):
    client.force_login(demo.user("demo.gv"))
    response = client.post(
        reverse("submissions:version_licence", args=[lecture.pk]), {"licence": "public_domain"}, follow=True
    )
    assert "Hãy chọn một giấy phép trong danh sách." in response.content.decode()
    assert _licence(lecture) == "all_rights_reserved"


@pytest.mark.parametrize("username", ["demo.gv.van", "demo.ht", "demo.gv.th"])
def test_nobody_else_chooses_the_licence(client, demo, lecture, username):
    """Another teacher, the principal or a teacher elsewhere cannot change it (403/404)."""
    client.force_login(demo.user(username))
    response = client.post(reverse("submissions:version_licence", args=[lecture.pk]), {"licence": "cc_by"})
    assert response.status_code in (403, 404)
    assert _licence(lecture) == "all_rights_reserved"


def test_the_licence_is_fixed_once_submitted(client, demo, lecture):
    """After submitting, the version keeps its licence and the form is gone; a GET changes nothing."""
    client.force_login(demo.user("demo.gv"))
    client.post(reverse("submissions:version_licence", args=[lecture.pk]), {"licence": "cc_by"})
    submit_lecture(lecture)
    assert client.get(reverse("submissions:version_licence", args=[lecture.pk])).status_code == 405
    response = client.post(reverse("submissions:version_licence", args=[lecture.pk]), {"licence": "cc_by_nd"})
    assert response.status_code == 403
    assert _licence(lecture) == "cc_by"
    assert 'data-testid="licence-form"' not in client.get(lecture.get_absolute_url()).content.decode()
