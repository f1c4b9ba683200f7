"""Every transition and every refusal of the review services."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from repository.models import Publication
from reviews import services
from reviews.models import CaseLog, CaseState, Minutes, Notification, ReviewCase, ReviewLevel
from reviews.services import CaseConflict
from tests.workflow import (
    approve_at_school,
    district_case,
    evaluated_district_case,
    fresh,
    full_scores,
    good_minutes,
    make_draft,
    make_window,
    resubmit,
    submit,
)

pytestmark = pytest.mark.django_db


def test_submit_opens_school_case_at_department_with_due_date(demo):
    """A teacher's submission waits for the department head, due at window end + review days."""
    window = make_window(closes_on=datetime.date(2026, 8, 21), review_days=7)
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), window=window)
    assert case.state == CaseState.IN_REVIEW
    assert case.level == ReviewLevel.SCHOOL
    assert case.unit == demo.unit("THCS-LQD-TOAN")
    assert case.due_on == datetime.date(2026, 8, 28)
    assert list(case.log.values_list("transition", "source", "target")) == [("submit", "draft", "in_review")]
    assert Notification.objects.filter(user=demo.user("demo.tt"), kind="waiting", case=case).exists()


def test_department_heads_own_lecture_goes_to_school_leaders(demo):
    """The department head's own lecture is reviewed by the principal, and the head cannot approve it."""
    case = submit(demo.user("demo.tt"), demo.unit("THCS-LQD-TOAN"))
    assert case.unit == demo.unit("THCS-LQD")
    with pytest.raises(PermissionDenied):
        services.review_approve(case=case, actor=demo.user("demo.tt"), minutes=good_minutes())
    services.review_approve(case=case, actor=demo.user("demo.ht"), minutes=good_minutes())
    case = fresh(case)
    assert case.state == CaseState.APPROVED


def test_approve_writes_log_minutes_publication_and_notifies_author(demo, django_capture_on_commit_callbacks):
    """Approving logs once, writes minutes, publishes to the school library and e-mails the author after commit."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_approve(
            case=case, actor=demo.user("demo.tt"), minutes=good_minutes(scores=full_scores())
        )
    case = fresh(case)
    assert case.state == CaseState.APPROVED and case.decided_by == demo.user("demo.tt")
    assert case.log.filter(transition="approve", source="in_review", target="approved").count() == 1
    minutes = Minutes.objects.get(case=case)
    assert minutes.decision == "approve" and minutes.total == Decimal("80.00")
    assert minutes.unit_name == "Trường THCS Lê Quý Đôn"
    assert minutes.reviewers[0]["name"] == "Trần Văn Hùng"
    assert Publication.objects.filter(
        version=case.version, level="school", scope=demo.unit("THCS-LQD"), state="active"
    ).exists()
    assert [m.to for m in mail.outbox] == [["demo.gv@example.edu.vn"]]
    assert "đã được phê duyệt" in mail.outbox[0].body


def test_approve_below_pass_mark_is_refused(demo):
    """An approval whose rubric total is under the pass mark is refused."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    with pytest.raises(ValidationError, match="điểm đạt"):
        services.review_approve(
            case=case, actor=demo.user("demo.tt"), minutes=good_minutes(scores=full_scores(Decimal("1")))
        )


def test_return_needs_required_changes(demo):
    """A return without required changes is refused and nothing changes."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    with pytest.raises(ValidationError) as err:
        services.review_return(
            case=case, actor=demo.user("demo.tt"), minutes=good_minutes(required_changes="  ")
        )
    assert "required_changes" in err.value.error_dict
    case = fresh(case)
    assert case.state == CaseState.IN_REVIEW and case.log.count() == 1


def test_reject_needs_a_reason(demo):
    """A rejection without a reason (conclusion) is refused."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    with pytest.raises(ValidationError) as err:
        services.review_reject(case=case, actor=demo.user("demo.tt"), minutes=good_minutes(conclusion=""))
    assert "conclusion" in err.value.error_dict


def test_return_then_resubmit_opens_new_case_at_same_level_outside_window(demo):
    """A returned lecture resubmitted with a new version goes back to the same reviewer, no window needed."""
    window = make_window(closes_on=timezone.localdate() - datetime.timedelta(days=30))
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), window=window)
    services.review_return(
        case=case, actor=demo.user("demo.tt"), minutes=good_minutes(required_changes="Bổ sung bài tập.")
    )
    case = fresh(case)
    assert case.state == CaseState.RETURNED
    assert Minutes.objects.get(case=case).required_changes == "Bổ sung bài tập."
    new_case = resubmit(case)
    case = fresh(case)
    assert case.state == CaseState.RESUBMITTED
    assert case.log.last().transition == "resubmit"
    assert new_case.state == CaseState.IN_REVIEW and new_case.previous == case
    assert new_case.unit == case.unit and new_case.level == ReviewLevel.SCHOOL
    assert new_case.version.number == 2
    assert new_case.due_on == timezone.localdate() + datetime.timedelta(days=7)


def test_resubmit_refusals(demo):
    """Only the author resubmits, only a returned case, only with a new version."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    with pytest.raises(CaseConflict):
        resubmit(case)  # still in review
    services.review_return(
        case=case, actor=demo.user("demo.tt"), minutes=good_minutes(required_changes="Sửa")
    )
    with pytest.raises(ValidationError):
        services.case_submit(version=case.version, actor=demo.user("demo.gv"), previous=case)
    version = make_draft(case.lecture)
    with pytest.raises(PermissionDenied):
        services.case_submit(version=version, actor=demo.user("demo.gv.van"), previous=case)
    case = fresh(case)
    assert case.state == CaseState.RETURNED


def test_wrong_person_cannot_decide(demo):
    """A head of another department, a teacher and a district officer cannot decide a school case."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    for username in ["demo.gv.van", "demo.phong", "demo.hdq.ct", "demo.cvso", "demo.gv"]:
        with pytest.raises(PermissionDenied):
            services.review_approve(case=case, actor=demo.user(username), minutes=good_minutes())
    case = fresh(case)
    assert case.state == CaseState.IN_REVIEW


def test_already_decided_is_a_clear_conflict(demo):
    """Approving an approved case says it was already decided and writes nothing."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    approve_at_school(demo, case)
    with pytest.raises(CaseConflict, match="đã được quyết định"):
        approve_at_school(demo, case)
    assert case.log.filter(transition="approve").count() == 1
    assert Minutes.objects.filter(case=case).count() == 1


def test_principal_decides_overdue_case_as_escalation(demo):
    """The principal may decide a department case once it is overdue, not before."""
    window = make_window(closes_on=timezone.localdate() - datetime.timedelta(days=20))
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    with pytest.raises(PermissionDenied):
        services.review_approve(case=case, actor=demo.user("demo.ht"), minutes=good_minutes())
    late = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), window=window, title="Bài quá hạn")
    services.review_approve(case=late, actor=demo.user("demo.ht"), minutes=good_minutes())
    late = fresh(late)
    assert late.state == CaseState.APPROVED


def test_withdraw_by_author_only(demo):
    """The author withdraws a waiting case; others are refused."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    with pytest.raises(PermissionDenied):
        services.case_withdraw(case=case, actor=demo.user("demo.tt"))
    services.case_withdraw(case=case, actor=demo.user("demo.gv"))
    case = fresh(case)
    assert case.state == CaseState.WITHDRAWN
    assert case.log.last().transition == "withdraw"


def test_nominate_opens_district_case_for_the_panel(demo):
    """The principal nominates an approved lecture; a district case opens for the Toán THCS panel."""
    new_case = district_case(demo)
    assert new_case.level == ReviewLevel.DISTRICT
    assert new_case.unit == demo.unit("PGD-HB")
    assert new_case.panel.name == "Hội đồng bộ môn Toán THCS quận Hồng Bàng"
    assert new_case.state == CaseState.IN_REVIEW
    school_case = new_case.previous
    assert school_case.state == CaseState.APPROVED and school_case.nominated_by == demo.user("demo.ht")
    assert school_case.log.last().transition == "nominate"
    assert Notification.objects.filter(user=demo.user("demo.hdq.ct"), case=new_case, kind="waiting").exists()


def test_nominate_refusals(demo):
    """Nominating is refused for the head, twice, or without a panel at the next level."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    with pytest.raises(CaseConflict):
        services.review_nominate(case=case, actor=demo.user("demo.ht"))  # not approved yet
    approve_at_school(demo, case)
    with pytest.raises(PermissionDenied):
        services.review_nominate(case=case, actor=demo.user("demo.tt"))
    services.review_nominate(case=case, actor=demo.user("demo.ht"))
    with pytest.raises(CaseConflict, match="đã được đề cử"):
        services.review_nominate(case=case, actor=demo.user("demo.pht"))


def test_nominate_without_district_panel_is_refused_with_message(demo):
    """A subject without a district panel cannot be nominated: a clear message, no silent skip to the city."""
    case = submit(demo.user("demo.gv.van"), demo.unit("THCS-LQD-VAN"), subject="ngu-van", title="Bài thơ")
    from accounts.models import RoleAssignment

    RoleAssignment.objects.create(
        user=demo.user("demo.qtt"), role="department_head", unit=demo.unit("THCS-LQD-VAN")
    )
    services.review_approve(case=case, actor=demo.user("demo.qtt"), minutes=good_minutes())
    with pytest.raises(ValidationError, match="Chưa có hội đồng bộ môn Ngữ văn"):
        services.review_nominate(case=case, actor=demo.user("demo.ht"))
    case = fresh(case)
    assert case.nominated_at is None
    assert ReviewCase.objects.filter(lecture=case.lecture).count() == 1


def test_district_panel_cannot_act_before_school_approved(demo):
    """While the school case is open the district chair can neither decide nor assign, and nothing reaches the panel."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    chair = demo.user("demo.hdq.ct")
    with pytest.raises(PermissionDenied):
        services.review_approve(case=case, actor=chair, minutes=good_minutes())
    with pytest.raises(PermissionDenied):
        services.review_assign_members(case=case, actor=chair, members=[demo.user("demo.hdq.tv1")])
    assert not ReviewCase.objects.filter(level=ReviewLevel.DISTRICT).exists()


def test_assignment_excludes_authors_school(demo):
    """The chair cannot assign a member who works in the author's school (conflict of interest)."""
    case = district_case(demo)
    from accounts.models import Panel, PanelMembership

    panel = Panel.objects.get(pk=case.panel_id)
    colleague = demo.user("demo.gv.van")  # THCS Lê Quý Đôn, the author's school
    PanelMembership.objects.create(panel=panel, user=colleague)
    assert colleague not in services.eligible_members(case)
    with pytest.raises(ValidationError, match="cùng trường"):
        services.review_assign_members(case=case, actor=demo.user("demo.hdq.ct"), members=[colleague])
    assert not case.assignments.exists()


def test_panel_chain_assign_evaluate_approve_publishes_at_district(demo):
    """Two members evaluate, the chair approves with averaged scores, the district library gets it."""
    case = evaluated_district_case(demo)
    chair = demo.user("demo.hdq.ct")
    services.review_approve(case=case, actor=chair, minutes=good_minutes())
    case = fresh(case)
    assert case.state == CaseState.APPROVED
    minutes = Minutes.objects.get(case=case)
    assert minutes.total == Decimal("80.00")
    assert [r["name"] for r in minutes.reviewers] == ["Tạ Minh Châu", "Phan Văn Khải", "Kiều Thị Yến"]
    assert Publication.objects.filter(
        version=case.version, level="district", scope=demo.unit("PGD-HB")
    ).exists()


def test_panel_decision_waits_for_every_evaluation(demo):
    """The chair cannot decide before members are assigned and every one has evaluated."""
    case = district_case(demo)
    chair = demo.user("demo.hdq.ct")
    with pytest.raises(ValidationError, match="phân công"):
        services.review_approve(case=case, actor=chair, minutes=good_minutes())
    services.review_assign_members(
        case=case, actor=chair, members=[demo.user("demo.hdq.tv1"), demo.user("demo.hdq.tv2")]
    )
    services.evaluation_submit(
        case=case, actor=demo.user("demo.hdq.tv1"), scores=full_scores(), recommendation="approve"
    )
    with pytest.raises(ValidationError, match="chưa nộp phiếu"):
        services.review_approve(case=case, actor=chair, minutes=good_minutes())


def test_evaluation_refusals(demo):
    """Only assigned members evaluate, with every criterion within its maximum."""
    case = district_case(demo)
    services.review_assign_members(
        case=case, actor=demo.user("demo.hdq.ct"), members=[demo.user("demo.hdq.tv1")]
    )
    with pytest.raises(PermissionDenied):
        services.evaluation_submit(
            case=case, actor=demo.user("demo.hdq.tv2"), scores=full_scores(), recommendation="approve"
        )
    with pytest.raises(ValidationError, match="đủ các tiêu chí"):
        services.evaluation_submit(
            case=case, actor=demo.user("demo.hdq.tv1"), scores={}, recommendation="approve"
        )
    with pytest.raises(ValidationError, match="từ 0 đến"):
        services.evaluation_submit(
            case=case,
            actor=demo.user("demo.hdq.tv1"),
            scores=full_scores(Decimal("99")),
            recommendation="approve",
        )
    with pytest.raises(ValidationError):
        services.evaluation_submit(
            case=case, actor=demo.user("demo.hdq.tv1"), scores=full_scores(), recommendation="return"
        )


def test_evaluation_without_an_active_rubric_is_refused_clearly(demo):
    """With every rubric switched off, an evaluation is refused with a message, not a crash."""
    from reviews.models import Evaluation, Rubric

    case = district_case(demo)
    services.review_assign_members(
        case=case, actor=demo.user("demo.hdq.ct"), members=[demo.user("demo.hdq.tv1")]
    )
    Rubric.objects.update(is_active=False)
    with pytest.raises(ValidationError, match="Chưa có bộ tiêu chí"):
        services.evaluation_submit(
            case=case, actor=demo.user("demo.hdq.tv1"), scores={}, recommendation="approve"
        )
    assert not Evaluation.objects.exists()


def test_author_on_the_panel_cannot_evaluate_or_decide_own_lecture(demo):
    """A panel chair who wrote the lecture can neither assign, evaluate nor approve it."""
    from accounts.models import RoleAssignment

    chair = demo.user("demo.hdq.ct")  # teaches at THCS Hồng Bàng
    dept = demo.unit("THCS-HB-TOAN")
    RoleAssignment.objects.create(user=demo.user("demo.hdq.tv1"), role="department_head", unit=dept)
    RoleAssignment.objects.create(user=demo.user("demo.gv"), role="principal", unit=dept.parent)
    case = submit(chair, dept)
    services.review_approve(case=case, actor=demo.user("demo.hdq.tv1"), minutes=good_minutes())
    district = services.review_nominate(case=case, actor=demo.user("demo.gv"))
    with pytest.raises(PermissionDenied):
        services.review_assign_members(case=district, actor=chair, members=[demo.user("demo.hdq.tv2")])
    with pytest.raises(PermissionDenied):
        services.review_approve(case=district, actor=chair, minutes=good_minutes())


def test_district_officer_nominates_to_city_and_city_approves(demo):
    """After the district approves, the district officer nominates to the city panel."""
    case = evaluated_district_case(demo)
    services.review_approve(case=case, actor=demo.user("demo.hdq.ct"), minutes=good_minutes())
    with pytest.raises(PermissionDenied):
        services.review_nominate(case=case, actor=demo.user("demo.ht"))
    city = services.review_nominate(case=case, actor=demo.user("demo.phong"))
    assert city.level == ReviewLevel.CITY and city.unit == demo.unit("SGD")
    members = [demo.user("demo.hds.tv1"), demo.user("demo.hds.tv2")]
    services.review_assign_members(case=city, actor=demo.user("demo.hds.ct"), members=members)
    for m in members:
        services.evaluation_submit(case=city, actor=m, scores=full_scores(), recommendation="approve")
    services.review_approve(case=city, actor=demo.user("demo.hds.ct"), minutes=good_minutes())
    city = fresh(city)
    assert city.state == CaseState.APPROVED
    with pytest.raises(CaseConflict):
        services.review_nominate(case=city, actor=demo.user("demo.ldso"))


def test_returned_at_district_resubmits_to_district(demo):
    """A lecture returned by the district panel is resubmitted to the same panel with its members."""
    case = evaluated_district_case(demo, recommendation="return")
    services.review_return(
        case=case, actor=demo.user("demo.hdq.ct"), minutes=good_minutes(required_changes="Sửa")
    )
    case = fresh(case)
    new = resubmit(case)
    assert new.level == ReviewLevel.DISTRICT and new.panel == case.panel
    assert set(new.assignments.values_list("member__username", flat=True)) == {"demo.hdq.tv1", "demo.hdq.tv2"}


def test_rolled_back_decision_notifies_nobody(demo, django_capture_on_commit_callbacks):
    """A decision whose transaction rolls back leaves no state, log, minutes or e-mail."""
    from django.db import transaction

    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            approve_at_school(demo, case)
            transaction.set_rollback(True)
    assert callbacks == []
    assert mail.outbox == []
    case = fresh(case)
    assert case.state == CaseState.IN_REVIEW
    assert not CaseLog.objects.filter(case=case, transition="approve").exists()
    assert not Minutes.objects.filter(case=case).exists()


def test_log_is_append_only(demo):
    """A case log row can be neither rewritten nor deleted."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    row = case.log.get()
    row.comment = "sửa"
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()


def test_state_field_is_protected(demo):
    """The state can only change through a transition."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    with pytest.raises(AttributeError):
        case.state = CaseState.APPROVED


def test_reminders_are_idempotent(demo):
    """Due-soon and overdue reminders go out once per case, person, kind and day; school overdue reaches the principal."""
    today = timezone.localdate()
    soon = make_window(closes_on=today - datetime.timedelta(days=5), review_days=7)  # due in 2 days
    late = make_window(closes_on=today - datetime.timedelta(days=10), review_days=7)  # 3 days overdue
    submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), window=soon, title="Sắp hạn")
    submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), window=late, title="Quá hạn")
    sent = services.review_reminders_send(today=today)
    assert sent == 4  # due soon: head; overdue: head, principal, vice principal
    assert Notification.objects.filter(kind="due_soon", user=demo.user("demo.tt")).count() == 1
    assert Notification.objects.filter(kind="overdue", user=demo.user("demo.ht")).count() == 1
    assert services.review_reminders_send(today=today) == 0
    assert Notification.objects.filter(kind__in=["due_soon", "overdue"]).count() == 4
    assert (
        services.review_reminders_send(today=today + datetime.timedelta(days=1)) == 3
    )  # overdue again next day


def test_reminder_command_runs_the_same_service(demo):
    """The management command sends the reminders and a second run sends nothing."""
    from io import StringIO

    from django.core.management import call_command

    late = make_window(closes_on=timezone.localdate() - datetime.timedelta(days=10))
    submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), window=late)
    out = StringIO()
    call_command("send_review_reminders", stdout=out)
    assert "Đã gửi 3" in out.getvalue()
    out = StringIO()
    call_command("send_review_reminders", stdout=out)
    assert "Đã gửi 0" in out.getvalue()
