"""Lecture services: metadata rules, the calendar, immutability, and the submit/withdraw path
through the review app's lifecycle services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Subject
from reviews import lifecycle
from reviews import services as review_services
from reviews.models import CaseState, ReviewCase
from submissions import selectors, services
from submissions.models import LectureVersion, SubmissionWindow

from .conftest import attach_fixture

SCORM12 = "scorm/valid/moodle_singlescobasic_SCORM12.zip"
FAKE_MP4 = "files/python-pptx_dummy_not-really-mp4.mp4"


def test_week3_of_august_is_the_third_monday():
    """Week 3 of August runs from the third Monday of August to the Sunday after it."""
    assert services.august_week3_monday(2026) == datetime.date(2026, 8, 17)
    assert services.august_week3_monday(2027) == datetime.date(2027, 8, 16)
    assert services.august_week3_monday(2025) == datetime.date(2025, 8, 18)


def test_create_windows_command_makes_three_windows_once(db, capsys):
    """The command creates the three standard windows of seed 000 and running it twice changes nothing."""
    for _ in range(2):
        call_command("create_windows", "2026-2027", "--makeup1", "2027-01-18", "--makeup2", "2027-05-17")
    windows = list(SubmissionWindow.objects.order_by("opens_on"))
    assert [(w.slot, w.opens_on, w.closes_on) for w in windows] == [
        ("august", datetime.date(2026, 8, 17), datetime.date(2026, 8, 23)),
        ("makeup_1", datetime.date(2027, 1, 18), datetime.date(2027, 1, 24)),
        ("makeup_2", datetime.date(2027, 5, 17), datetime.date(2027, 5, 23)),
    ]
    assert all(w.review_days == 7 and w.kinds == ["lecture"] for w in windows)
    assert windows[0].year.name == "2026–2027"


def test_create_windows_refuses_a_makeup_week_not_starting_on_monday(db):
    """A make-up week must start on a Monday; the command says so."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="thứ Hai"):
        call_command("create_windows", "2026-2027", "--makeup1", "2027-01-19", "--makeup2", "2027-05-17")
    assert not SubmissionWindow.objects.exists()


def test_admin_action_creates_windows_from_the_stored_makeup_dates(admin_client, year):
    """The admin action on an academic year creates its three windows from the dates the city entered."""
    year.makeup1_starts_on = datetime.date(2027, 1, 18)
    year.makeup2_starts_on = datetime.date(2027, 5, 17)
    year.save()
    response = admin_client.post(
        "/admin/submissions/academicyear/",
        {"action": "create_standard_windows", "_selected_action": [year.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert year.windows.count() == 3
    assert year.windows.get(slot="makeup_2").opens_on == datetime.date(2027, 5, 17)


def test_lecture_create_makes_a_draft_version(lecture, teacher, demo):
    """A new lecture belongs to the author's school and level and has draft version 1 without a file."""
    assert lecture.school == demo.unit("THCS-LQD")
    assert lecture.school_level == "lower_secondary"
    version = lecture.versions.get()
    assert (version.number, version.is_submitted, version.check_status) == (1, False, "none")


def test_subject_outside_the_department_is_refused(demo):
    """A subject the department does not teach is refused with the department's subjects named."""
    with pytest.raises(ValidationError) as exc:
        services.lecture_create(
            author=demo.user("demo.gv"),
            department=demo.unit("THCS-LQD-TOAN"),
            subject=Subject.objects.get(code="ngu-van"),
            grade=6,
            title="Bài thơ",
        )
    assert "không thuộc Tổ Toán – Tin" in exc.value.message_dict["subject"][0]


def test_grade_outside_the_subject_or_level_is_refused(demo):
    """Grade 10 is upper secondary: a lower-secondary department cannot file a lecture for it."""
    with pytest.raises(ValidationError) as exc:
        services.lecture_create(
            author=demo.user("demo.gv"),
            department=demo.unit("THCS-LQD-TOAN"),
            subject=Subject.objects.get(code="toan"),
            grade=10,
            title="Hàm số",
        )
    assert "Lớp 10" in exc.value.message_dict["grade"][0]


def test_department_of_another_teacher_is_refused(demo):
    """A teacher cannot file a lecture in a department where they do not teach."""
    with pytest.raises(ValidationError) as exc:
        services.lecture_create(
            author=demo.user("demo.gv"),
            department=demo.unit("THCS-LQD-VAN"),
            subject=Subject.objects.get(code="ngu-van"),
            grade=6,
            title="Bài thơ",
        )
    assert "department" in exc.value.message_dict


def test_co_authors_must_be_from_the_same_school(make_lecture, demo):
    """A colleague of the same school may co-author; a teacher of another school may not."""
    lecture = make_lecture(co_authors=[demo.user("demo.gv.van")])
    assert list(lecture.co_authors.all()) == [demo.user("demo.gv.van")]
    with pytest.raises(ValidationError) as exc:
        make_lecture(title="Khác", co_authors=[demo.user("demo.gv.th")])
    assert "cùng trường" in exc.value.message_dict["co_authors"][0]


def test_only_the_author_edits(lecture, demo):
    """The author edits the draft's metadata; a co-author or the department head gets PermissionDenied."""
    services.lecture_update(lecture=lecture, actor=demo.user("demo.gv"), title="Bài 1. Tập hợp (sửa)")
    lecture.refresh_from_db()
    assert lecture.title == "Bài 1. Tập hợp (sửa)"
    for other in ("demo.tt", "demo.gv.van"):
        with pytest.raises(PermissionDenied):
            services.lecture_update(lecture=lecture, actor=demo.user(other), title="X")
    lecture.refresh_from_db()
    assert lecture.title == "Bài 1. Tập hợp (sửa)"


def test_submit_in_an_open_window_opens_the_school_case(
    lecture, teacher, open_window, django_capture_on_commit_callbacks
):
    """A checked draft submitted in an open window is stamped and goes to the department head."""
    version = attach_fixture(lecture.versions.get(), teacher, SCORM12, django_capture_on_commit_callbacks)
    assert version.check_status == "passed"
    case = review_services.lecture_submit(lecture=lecture, actor=teacher)
    version.refresh_from_db()
    assert version.is_submitted and version.window == open_window
    assert (case.state, case.level, case.unit.code) == (CaseState.IN_REVIEW, "school", "THCS-LQD-TOAN")
    assert case.due_on == open_window.closes_on + datetime.timedelta(days=7)
    status = lifecycle.lecture_status(lecture, user=teacher)
    assert status.code == "in_review"
    assert "Tổ trưởng" in status.holder and status.actions == {"withdraw"}


def test_first_submission_outside_a_window_says_when_the_next_opens(
    lecture, teacher, closed_calendar, django_capture_on_commit_callbacks
):
    """Outside every window the submission is refused with the opening date of the next window."""
    attach_fixture(lecture.versions.get(), teacher, SCORM12, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as exc:
        review_services.lecture_submit(lecture=lecture, actor=teacher)
    expected = f"Hiện không trong đợt nộp. Đợt nộp tiếp theo mở từ {closed_calendar.opens_on:%d/%m/%Y}."
    assert exc.value.messages == [expected]
    assert not ReviewCase.objects.exists()
    assert not lecture.versions.get().is_submitted


def test_window_message_with_the_issue_dates(lecture, teacher, year, django_capture_on_commit_callbacks):
    """On 01/12/2026 with make-up weeks 18/01 and 17/05 the message names 18/01/2027."""
    services.windows_create_standard(
        year=year, makeup1=datetime.date(2027, 1, 18), makeup2=datetime.date(2027, 5, 17)
    )
    attach_fixture(lecture.versions.get(), teacher, SCORM12, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as exc:
        review_services.lecture_submit(lecture=lecture, actor=teacher, today=datetime.date(2026, 12, 1))
    assert exc.value.messages == ["Hiện không trong đợt nộp. Đợt nộp tiếp theo mở từ 18/01/2027."]


def test_a_version_that_failed_its_checks_cannot_be_submitted(
    lecture, teacher, open_window, django_capture_on_commit_callbacks
):
    """A failed file blocks the submission: the service refuses and no submit action is offered."""
    version = attach_fixture(lecture.versions.get(), teacher, FAKE_MP4, django_capture_on_commit_callbacks)
    assert version.check_status == "failed"
    assert "submit" not in lifecycle.lecture_status(lecture, user=teacher).actions
    with pytest.raises(ValidationError, match="không vượt qua kiểm tra"):
        review_services.lecture_submit(lecture=lecture, actor=teacher)
    assert not ReviewCase.objects.exists()


def test_a_draft_without_file_cannot_be_submitted(lecture, teacher, open_window):
    """Submitting before any upload asks for the file first."""
    with pytest.raises(ValidationError, match="Chưa có tệp"):
        review_services.lecture_submit(lecture=lecture, actor=teacher)


def test_only_the_author_submits(lecture, teacher, demo, open_window, django_capture_on_commit_callbacks):
    """A co-author or the department head cannot submit somebody else's lecture."""
    lecture.co_authors.add(demo.user("demo.gv.van"))
    attach_fixture(lecture.versions.get(), teacher, SCORM12, django_capture_on_commit_callbacks)
    for other in ("demo.gv.van", "demo.tt"):
        with pytest.raises(PermissionDenied):
            review_services.lecture_submit(lecture=lecture, actor=demo.user(other))
    assert not ReviewCase.objects.exists()


def test_a_submitted_version_is_immutable(lecture, teacher, open_window, django_capture_on_commit_callbacks):
    """After submission the file cannot be replaced, no upload can start and metadata cannot change."""
    version = attach_fixture(lecture.versions.get(), teacher, SCORM12, django_capture_on_commit_callbacks)
    review_services.lecture_submit(lecture=lecture, actor=teacher)
    before = LectureVersion.objects.values().get(pk=version.pk)
    with pytest.raises(ValidationError, match="đã nộp"):
        services.version_attach_file(
            version=version, actor=teacher, key="uploads/x", original_name="x", size=1
        )
    with pytest.raises(ValidationError, match="đã nộp"):
        services.upload_start(version=version, actor=teacher, filename="b.zip", content_type="", size=10)
    with pytest.raises(ValidationError, match="bản nháp"):
        services.lecture_update(lecture=lecture, actor=teacher, title="Khác")
    with pytest.raises(ValidationError):
        review_services.lecture_submit(lecture=lecture, actor=teacher)
    assert LectureVersion.objects.values().get(pk=version.pk) == before


def test_a_draft_file_can_be_replaced(lecture, teacher, django_capture_on_commit_callbacks):
    """Uploading again to a draft replaces its file, deletes the old one and checks the new one."""
    from django.core.files.storage import default_storage

    version = attach_fixture(lecture.versions.get(), teacher, FAKE_MP4, django_capture_on_commit_callbacks)
    old_key = version.file_key
    version = attach_fixture(version, teacher, SCORM12, django_capture_on_commit_callbacks)
    assert version.file_key != old_key and version.check_status == "passed"
    assert not default_storage.exists(old_key)


def test_withdraw_then_new_version(lecture, teacher, open_window, django_capture_on_commit_callbacks):
    """The author withdraws before a decision, then starts version 2 as a fresh draft."""
    attach_fixture(lecture.versions.get(), teacher, SCORM12, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        review_services.lecture_new_version(lecture=lecture, actor=teacher)  # not while in review
    review_services.lecture_submit(lecture=lecture, actor=teacher)
    case = review_services.lecture_withdraw(lecture=lecture, actor=teacher)
    assert case.state == CaseState.WITHDRAWN
    status = lifecycle.lecture_status(lecture, user=teacher)
    assert status.code == "withdrawn" and "new_version" in status.actions
    v2 = review_services.lecture_new_version(lecture=lecture, actor=teacher, change_note="Sửa câu hỏi 3")
    assert (v2.number, v2.is_submitted, v2.check_status) == (2, False, "none")
    assert lifecycle.lecture_status(lecture, user=teacher).code == "draft_empty"


def test_withdraw_is_the_authors_only(
    lecture, teacher, demo, open_window, django_capture_on_commit_callbacks
):
    """Nobody but the author withdraws; the case stays in review."""
    attach_fixture(lecture.versions.get(), teacher, SCORM12, django_capture_on_commit_callbacks)
    review_services.lecture_submit(lecture=lecture, actor=teacher)
    with pytest.raises(PermissionDenied):
        review_services.lecture_withdraw(lecture=lecture, actor=demo.user("demo.tt"))
    assert ReviewCase.objects.get().state == CaseState.IN_REVIEW


def _return_case(case, head):
    """The department head returns the case through the real review service."""
    from reviews.services import MinutesInput, review_return

    review_return(case=case, actor=head, minutes=MinutesInput(required_changes="Bổ sung phần luyện tập."))


def test_resubmission_after_return_ignores_the_window(
    lecture, teacher, demo, year, django_capture_on_commit_callbacks
):
    """A lecture returned for changes is resubmitted outside any window; the new case points at the returned one."""
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    services.windows_create_standard(year=year, makeup1=monday, makeup2=monday + datetime.timedelta(weeks=20))
    attach_fixture(lecture.versions.get(), teacher, SCORM12, django_capture_on_commit_callbacks)
    first = review_services.lecture_submit(lecture=lecture, actor=teacher)
    _return_case(first, demo.user("demo.tt"))
    status = lifecycle.lecture_status(lecture, user=teacher)
    assert status.code == "returned" and status.needs_changes and "new_version" in status.actions
    v2 = review_services.lecture_new_version(lecture=lecture, actor=teacher, change_note="Theo biên bản")
    attach_fixture(v2, teacher, SCORM12, django_capture_on_commit_callbacks)
    later = today + datetime.timedelta(days=60)  # outside every window
    assert selectors.window_open_on(later, school_level="lower_secondary") is None
    case = review_services.lecture_submit(lecture=lecture, actor=teacher, today=later)
    assert case.previous_id == first.pk and case.state == CaseState.IN_REVIEW
    v2.refresh_from_db()
    assert v2.is_submitted
