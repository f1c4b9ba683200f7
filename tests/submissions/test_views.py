"""Teacher pages: who sees what, who may act, downloads, navigation."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.models import Subject
from reviews import lifecycle
from submissions.models import Lecture, LectureVersion
from submissions.rules import can_view_lecture, lecture_visible_q

from .conftest import attach_fixture

SCORM12 = "scorm/valid/moodle_singlescobasic_SCORM12.zip"
ALL_DEMO = [
    "demo.gv", "demo.tt", "demo.ht", "demo.pht", "demo.qtt", "demo.gv.van", "demo.gv.th", "demo.gv.thpt",
    "demo.ht.thpt", "demo.cumtruong", "demo.phong", "demo.phong.lc", "demo.cvso", "demo.ldso",
    "demo.hdq.ct", "demo.hds.ct",
]  # fmt: skip
# Who sees demo.gv's lecture (Toán, Tổ Toán – Tin, THCS Lê Quý Đôn, quận Hồng Bàng).
SEES = {"demo.gv", "demo.tt", "demo.ht", "demo.pht", "demo.phong", "demo.cvso", "demo.ldso"}


def _login(client, demo, username):
    client.force_login(demo.user(username))
    return client


def test_create_lecture_through_the_form(client, demo):
    """The teacher fills the form and lands on the new draft's page with the upload box."""
    _login(client, demo, "demo.gv")
    form = client.get("/lectures/new/")
    assert form.status_code == 200
    assert "Tổ Toán – Tin" in form.content.decode()
    response = client.post(
        "/lectures/new/",
        {
            "department": demo.unit("THCS-LQD-TOAN").pk,
            "subject": Subject.objects.get(code="toan").pk,
            "grade": 6,
            "title": "Bài 2. Cách ghi số tự nhiên",
            "keywords": "toán 6",
            "co_authors": [demo.user("demo.gv.van").pk],
        },
        follow=True,
    )
    lecture = Lecture.objects.get()
    assert response.redirect_chain[-1][0] == lecture.get_absolute_url()
    page = response.content.decode()
    assert "Bản nháp – chưa có tệp" in page and 'id="uploader"' in page
    assert "Bạn (tác giả)" in page
    assert list(lecture.co_authors.all()) == [demo.user("demo.gv.van")]


def test_form_shows_clear_errors_for_inconsistent_metadata(client, demo):
    """A grade outside the department's level is not offered and a forged one is refused; nothing is created."""
    _login(client, demo, "demo.gv")
    response = client.post(
        "/lectures/new/",
        {
            "department": demo.unit("THCS-LQD-TOAN").pk,
            "subject": Subject.objects.get(code="tin-hoc").pk,
            "grade": 3,
            "title": "Bài 1",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 không phải là một trong các lựa chọn" in page
    grade_select = page.split('name="grade"', 1)[1].split("</select>", 1)[0]
    assert (
        '"3"' not in grade_select and '"6"' in grade_select and '"9"' in grade_select
    )  # lower secondary only
    assert not Lecture.objects.exists()


def test_people_without_a_department_cannot_create(client, demo):
    """A district officer has no department to file a lecture in: 403."""
    _login(client, demo, "demo.phong")
    assert client.get("/lectures/new/").status_code == 403


@pytest.mark.parametrize("username", ALL_DEMO)
def test_detail_visibility_matches_the_rule(client, demo, lecture, username):
    """The lecture page answers 200 to exactly the people the rule lets see it, 404 to everyone else."""
    _login(client, demo, username)
    expected = 200 if username in SEES else 404
    assert client.get(lecture.get_absolute_url()).status_code == expected
    assert can_view_lecture(demo.user(username), lecture) == (username in SEES)


@pytest.mark.parametrize("username", ALL_DEMO)
def test_rule_and_queryset_agree(demo, make_lecture, username):
    """`can_view_lecture` and `lecture_visible_q` give the same answer for every lecture and role."""
    mine = make_lecture()
    shared = make_lecture(title="Chung", co_authors=[demo.user("demo.gv.van")])
    user = demo.user(username)
    visible = set(Lecture.objects.filter(lecture_visible_q(user)).values_list("pk", flat=True))
    assert visible == {lec.pk for lec in (mine, shared) if can_view_lecture(user, lec)}


def test_co_author_sees_but_cannot_act(
    client, demo, make_lecture, open_window, django_capture_on_commit_callbacks
):
    """A co-author reads and downloads; edit, submit and new version answer 403 and change nothing."""
    lecture = make_lecture(co_authors=[demo.user("demo.gv.van")])
    attach_fixture(lecture.versions.get(), demo.user("demo.gv"), SCORM12, django_capture_on_commit_callbacks)
    _login(client, demo, "demo.gv.van")
    page = client.get(lecture.get_absolute_url()).content.decode()
    assert 'data-testid="submit-lecture"' not in page and 'id="uploader"' not in page
    assert client.get(f"/lectures/{lecture.pk}/edit/").status_code == 403
    assert client.post(f"/lectures/{lecture.pk}/submit/").status_code == 403
    assert client.post(f"/lectures/{lecture.pk}/withdraw/").status_code == 403
    assert client.post(f"/lectures/{lecture.pk}/versions/new/").status_code == 403
    version = lecture.versions.get()
    assert client.get(f"/lectures/versions/{version.pk}/download/").status_code == 200
    assert not version.is_submitted
    assert [lec.pk for lec in lifecycle.lectures_of(demo.user("demo.gv.van"))] == [lecture.pk]


def test_author_submits_and_withdraws_through_the_pages(
    client, demo, lecture, open_window, django_capture_on_commit_callbacks
):
    """Submit shows who has the lecture now; withdraw hands it back with the next step."""
    teacher = demo.user("demo.gv")
    attach_fixture(lecture.versions.get(), teacher, SCORM12, django_capture_on_commit_callbacks)
    _login(client, demo, "demo.gv")
    page = client.post(f"/lectures/{lecture.pk}/submit/", follow=True).content.decode()
    assert "Đã nộp bài giảng" in page
    assert "Đang thẩm định (cấp trường)" in page and "Tổ trưởng chuyên môn – Tổ Toán – Tin" in page
    assert 'data-testid="withdraw-lecture"' in page
    # The department head sees it but cannot withdraw it.
    head = client.__class__()
    head.force_login(demo.user("demo.tt"))
    assert head.post(f"/lectures/{lecture.pk}/withdraw/").status_code == 403
    page = client.post(f"/lectures/{lecture.pk}/withdraw/", follow=True).content.decode()
    assert "Đã rút bài giảng" in page and 'data-testid="new-version"' in page
    page = client.post(f"/lectures/{lecture.pk}/versions/new/", {"change_note": "Bổ sung ví dụ"}, follow=True)
    assert "Đã tạo phiên bản 2" in page.content.decode()
    assert lecture.versions.count() == 2


def test_submit_outside_window_shows_the_message(
    client, demo, lecture, closed_calendar, django_capture_on_commit_callbacks
):
    """Outside a window the page says when the next window opens and offers no Submit button;
    a submit posted anyway (a page left open) is refused."""
    attach_fixture(lecture.versions.get(), demo.user("demo.gv"), SCORM12, django_capture_on_commit_callbacks)
    _login(client, demo, "demo.gv")
    expected = f"Hiện không trong đợt nộp. Đợt nộp tiếp theo mở từ {closed_calendar.opens_on:%d/%m/%Y}."
    page = client.get(lecture.get_absolute_url()).content.decode()
    assert expected in page
    assert 'data-testid="submit-lecture"' not in page
    assert client.post(f"/lectures/{lecture.pk}/submit/").status_code == 403
    assert not lecture.versions.get().is_submitted


def test_download_is_an_attachment_with_rfc6266_name(client, demo, lecture):
    """The file comes back as an attachment with an ASCII fallback and the UTF-8 name; never inline."""
    teacher = demo.user("demo.gv")
    key = default_storage.save("uploads/1/abc/bai-giang.html", ContentFile(b"<script>alert(1)</script>"))
    LectureVersion.objects.filter(lecture=lecture).update(
        file_key=key, original_name="Bài giảng số 1.html", size=25
    )
    version = lecture.versions.get()
    _login(client, demo, "demo.gv")
    response = client.get(f"/lectures/versions/{version.pk}/download/")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''B%C3%A0i%20gi%E1%BA%A3ng%20s%E1%BB%91%201.html" in disposition
    assert 'filename="' not in disposition or disposition.isascii()
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    # Someone out of scope gets 404.
    client.force_login(demo.user("demo.gv.th"))
    assert client.get(f"/lectures/versions/{version.pk}/download/").status_code == 404
    assert teacher.pk


def test_list_shows_status_next_step_and_holder(client, demo, lecture):
    """ "Bài giảng của tôi" lists each lecture with its Vietnamese status and next step."""
    _login(client, demo, "demo.gv")
    page = client.get("/lectures/").content.decode()
    assert lecture.title in page and "Bản nháp – chưa có tệp" in page and "Tải tệp bài giảng lên" in page


def test_menu_and_home_cards_for_teachers_only(client, demo, lecture):
    """Teachers get the "Bài giảng của tôi" menu and a drafts card; a district officer gets neither."""
    _login(client, demo, "demo.gv")
    home = client.get("/").content.decode()
    assert "Bài giảng của tôi" in home and "Bài giảng nháp" in home
    _login(client, demo, "demo.phong")
    home = client.get("/").content.decode()
    assert "Bài giảng của tôi" not in home and "Bài giảng nháp" not in home


def test_list_query_count_does_not_grow_with_lectures(
    client, demo, make_lecture, django_assert_max_num_queries
):
    """The list page's queries stay bounded however many lectures the teacher has."""
    for i in range(8):
        make_lecture(title=f"Bài {i}")
    _login(client, demo, "demo.gv")
    with django_assert_max_num_queries(25):
        assert client.get("/lectures/").status_code == 200
