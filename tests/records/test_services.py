"""Each record kind's route through the one review engine (seed 001, 2.2)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reviews import services
from reviews.models import CaseLog, CaseState, Notification, ReviewCase, ReviewLevel
from reviews.services import CaseConflict
from submissions.models import Record, RecordStatus

from .builders import DOCX, MP4, kind, school_year, submit_lesson_plan, submit_plan, upload

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_four_kinds_ship_as_data(db):
    """The catalogue holds the four kinds of seed 001 with their routes."""
    assert {k.code: k.route for k in kind("school_plan").__class__.objects.all()} == {
        "school_plan": "reporting_line",
        "department_plan": "school_leaders",
        "teacher_plan": "department_head",
        "lesson_plan": "department_head",
    }


def test_teacher_plan_goes_to_the_department_head_who_approves(demo):
    """A teacher's plan waits for their department head, who approves it; the owner is told."""
    case = submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN")
    assert (case.level, case.unit, case.state) == (
        ReviewLevel.SCHOOL,
        demo.unit("THCS-LQD-TOAN"),
        CaseState.IN_REVIEW,
    )
    assert Notification.objects.filter(user=demo.user("demo.tt"), case=case).exists()
    services.record_decide(case=case, actor=demo.user("demo.tt"), approve=True)
    record = Record.objects.get(pk=case.record_id)
    assert record.status == RecordStatus.APPROVED and record.approved_at is not None
    assert Notification.objects.filter(user=demo.user("demo.gv"), kind="decided").exists()


@pytest.mark.parametrize("username", ["demo.ht", "demo.pht", "demo.phong", "demo.ldso", "demo.gv"])
def test_teacher_plan_refuses_anyone_but_the_head(demo, username):
    """The principal, the district, the city and the owner may look but not decide: nothing changes."""
    case = submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN")
    with pytest.raises(PermissionDenied):
        services.record_decide(case=case, actor=demo.user(username), approve=True)
    assert ReviewCase.objects.get(pk=case.pk).state == CaseState.IN_REVIEW
    assert Record.objects.get(pk=case.record_id).status == RecordStatus.IN_REVIEW


def test_a_heads_own_teacher_plan_goes_to_the_school_leaders(demo):
    """The department head does not approve their own plan: the school's leaders do."""
    case = submit_plan(demo, "teacher_plan", "demo.tt", "THCS-LQD-TOAN")
    assert case.unit == demo.unit("THCS-LQD")
    with pytest.raises(PermissionDenied):
        services.record_decide(case=case, actor=demo.user("demo.tt"), approve=True)
    services.record_decide(case=case, actor=demo.user("demo.pht"), approve=True)


def test_department_plan_has_two_parts_and_is_approved_by_the_principal(demo):
    """The department head submits both parts; the principal approves; the head cannot."""
    with pytest.raises(ValidationError) as err:
        submit_plan(demo, "department_plan", "demo.tt", "THCS-LQD-TOAN", activity_upload=None)
    assert "activity_file" in err.value.message_dict
    assert not Record.objects.exists()
    case = submit_plan(demo, "department_plan", "demo.tt", "THCS-LQD-TOAN")
    assert case.record_version.activity_file
    assert case.unit == demo.unit("THCS-LQD")
    services.record_decide(case=case, actor=demo.user("demo.ht"), approve=True)
    assert ReviewCase.objects.get(pk=case.pk).state == CaseState.APPROVED


def test_only_the_kinds_submitter_role_may_submit(demo):
    """A teacher cannot submit the department plan, nor a principal's school plan: nothing is stored."""
    with pytest.raises(PermissionDenied):
        submit_plan(demo, "department_plan", "demo.gv", "THCS-LQD-TOAN")
    with pytest.raises(PermissionDenied):
        submit_plan(demo, "school_plan", "demo.pht", "THCS-LQD")
    assert not Record.objects.exists() and not ReviewCase.objects.exists()


def test_lower_secondary_school_plan_is_acknowledged_by_its_district(demo):
    """A THCS school plan records the council's adoption and goes to the district office."""
    with pytest.raises(ValidationError) as err:
        submit_plan(demo, "school_plan", "demo.ht", "THCS-LQD", council_decision_number="")
    assert "council_decision_number" in err.value.message_dict
    case = submit_plan(demo, "school_plan", "demo.ht", "THCS-LQD")
    assert (case.level, case.unit) == (ReviewLevel.DISTRICT, demo.unit("PGD-HB"))
    assert case.record_version.council_decision_number == "05/NQ-HĐT"
    for username in ["demo.phong.lc", "demo.cvso", "demo.ht"]:
        with pytest.raises(PermissionDenied):
            services.record_decide(case=case, actor=demo.user(username), approve=True)
    services.record_decide(case=case, actor=demo.user("demo.phong"), approve=True)
    assert Notification.objects.filter(user=demo.user("demo.ht"), text__contains="xác nhận đã nhận").exists()


@pytest.mark.parametrize("username,school", [("demo.ht.thpt", "THPT-TRANPHU"), ("demo.cumtruong", "PT-HG")])
def test_upper_secondary_and_multi_level_school_plans_go_to_the_city(demo, username, school):
    """THPT and multi-level schools report to the city, whose leaders acknowledge."""
    case = submit_plan(demo, "school_plan", username, school)
    assert (case.level, case.unit) == (ReviewLevel.CITY, demo.unit("SGD"))
    with pytest.raises(PermissionDenied):
        services.record_decide(case=case, actor=demo.user("demo.cvso"), approve=True)
    services.record_decide(case=case, actor=demo.user("demo.ldso"), approve=True)


def test_return_needs_comments_then_resubmission_goes_back_to_the_same_reviewer(demo):
    """A return without comments is refused; with comments the owner resubmits to the same head."""
    case = submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN")
    with pytest.raises(ValidationError):
        services.record_decide(case=case, actor=demo.user("demo.tt"), approve=False, comment="  ")
    services.record_decide(case=case, actor=demo.user("demo.tt"), approve=False, comment="Bổ sung tiết dạy.")
    record = Record.objects.get(pk=case.record_id)
    assert record.status == RecordStatus.RETURNED
    assert CaseLog.objects.filter(case=case, comment="Bổ sung tiết dạy.").exists()
    with pytest.raises(PermissionDenied):
        services.record_resubmit(record=record, actor=demo.user("demo.tt"), files={"upload": upload()})
    new = services.record_resubmit(record=record, actor=demo.user("demo.gv"), files={"upload": upload(DOCX)})
    assert (new.unit, new.previous_id, new.record_version.number) == (case.unit, case.pk, 2)
    assert ReviewCase.objects.get(pk=case.pk).state == CaseState.RESUBMITTED
    with pytest.raises(CaseConflict):
        services.record_resubmit(record=record, actor=demo.user("demo.gv"), files={"upload": upload()})
    services.record_decide(case=new, actor=demo.user("demo.tt"), approve=True)
    with pytest.raises(CaseConflict):
        services.record_decide(case=new, actor=demo.user("demo.tt"), approve=False, comment="x")


def test_late_submission_is_flagged(demo):
    """A plan submitted after the year's deadline is late; before it, it is not."""
    year = school_year(deadline=TODAY() - datetime.timedelta(days=1))
    late = submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN", year=year)
    assert late.record.submitted_late and late.record_version.submitted_late
    school_year(deadline=TODAY())
    on_time = submit_plan(demo, "teacher_plan", "demo.gv.van", "THCS-LQD-VAN", year=year)
    assert not Record.objects.get(pk=on_time.record_id).submitted_late


def test_a_second_current_lesson_plan_for_the_same_lesson_and_class_is_refused(demo):
    """One lesson plan per lesson and class: another teacher's twin (other case, spaces) is refused."""
    submit_lesson_plan(demo)
    with pytest.raises(ValidationError) as err:
        submit_lesson_plan(demo, "demo.tt", lesson="  bài 1.   TẬP HỢP ", class_name="6a1")
    assert "Đã có kế hoạch bài dạy" in " ".join(err.value.messages)
    assert Record.objects.count() == 1
    submit_lesson_plan(demo, class_name="6A2")  # another class is another plan
    assert Record.objects.count() == 2


def test_lesson_plan_approved_after_its_teaching_date_is_late(demo):
    """Approved before the teaching date: on time; after it: marked late (and its submission too)."""
    on_time = submit_lesson_plan(demo, teaching_date=TODAY() + datetime.timedelta(days=2))
    late = submit_lesson_plan(
        demo, lesson="Bài 2. Số tự nhiên", teaching_date=TODAY() - datetime.timedelta(days=1)
    )
    for case in (on_time, late):
        services.record_decide(case=case, actor=demo.user("demo.tt"), approve=True)
    assert not Record.objects.get(pk=on_time.record_id).approved_late
    late_record = Record.objects.get(pk=late.record_id)
    assert late_record.approved_late and late_record.submitted_late


def test_files_are_checked_by_content_format_and_size(demo, settings):
    """A video is not a plan; a file over RECORD_MAX_FILE_BYTES is refused; nothing is stored."""
    with pytest.raises(ValidationError) as err:
        submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN", upload=upload(MP4, "ke-hoach.pdf"))
    assert "chỉ nhận" in " ".join(err.value.messages)
    settings.RECORD_MAX_FILE_BYTES = 100
    with pytest.raises(ValidationError) as err:
        submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN")
    assert "quá lớn" in " ".join(err.value.messages)
    assert not Record.objects.exists()


def test_a_submitted_version_is_immutable(demo):
    """Saving a submitted version again is refused."""
    case = submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN")
    version = case.record_version
    version.change_note = "sửa"
    with pytest.raises(ValueError):
        version.save()


def test_overdue_record_cases_are_reminded_like_lectures(demo):
    """The daily reminders reach the head (and the school's leaders) about an overdue record."""
    case = submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN")
    sent = services.review_reminders_send(today=case.due_on + datetime.timedelta(days=1))
    assert sent >= 2
    note = Notification.objects.get(user=demo.user("demo.tt"), kind="overdue")
    assert "Hồ sơ" in note.text and "quá hạn phê duyệt" in note.text
    assert Notification.objects.filter(user=demo.user("demo.ht"), kind="overdue").exists()
    assert not Notification.objects.filter(user=demo.user("demo.gv"), kind="overdue").exists()
