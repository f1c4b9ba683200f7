"""The one set of workflow factories: every app's tests reach review states the way users do.

A lecture is created by `submissions.services.lecture_create`, and each next version by
`reviews.services.lecture_new_version`. A version's file stands in for an upload whose check
passed (uploads and the checker have their own tests in tests/submissions). From there every
step is the real service called by the demo city's real person: the owner submits
(`lecture_submit`, in a window), the department head decides at school (the principal when
the case is overdue), the principal nominates (`review_nominate`), the chair of the next panel
assigns members who file evaluations, and the chair decides; then the cluster head or the
district officer nominates further up. So a lecture "published at district" really went
school → nominated → district panel, and a state no user can reach cannot be built here.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import RoleAssignment, Subject, Unit, User
from reviews import services
from reviews.models import CaseState, Recommendation, ReviewCase, ReviewLevel
from reviews.routing import school_review_unit
from reviews.services import MinutesInput
from submissions import services as submission_services
from submissions.models import AcademicYear, LectureVersion, SubmissionWindow

Role = RoleAssignment.Role

# --- Windows ---------------------------------------------------------------------------------------


def make_window(*, closes_on=None, review_days=7) -> SubmissionWindow:
    """A week-long submission window for every school level (set up by the city's admins)."""
    closes_on = closes_on or timezone.localdate()
    year, _ = AcademicYear.objects.get_or_create(
        name="2025–2026",
        defaults={
            "starts_on": datetime.date(2025, 9, 5),
            "semester1_ends_on": datetime.date(2026, 1, 15),
            "ends_on": datetime.date(2026, 5, 31),
        },
    )
    return SubmissionWindow.objects.create(
        year=year,
        name=f"Đợt nộp {closes_on:%d/%m}",
        opens_on=closes_on - datetime.timedelta(days=6),
        closes_on=closes_on,
        review_days=review_days,
    )


def open_window() -> SubmissionWindow:
    """A window open today (the one already open, else a new one from 3 days ago to 3 days ahead)."""
    today = timezone.localdate()
    window = SubmissionWindow.objects.filter(opens_on__lte=today, closes_on__gte=today).first()
    return window or make_window(closes_on=today + datetime.timedelta(days=3))


def overdue_window() -> SubmissionWindow:
    """A window whose school-level reviews fell due weeks ago: its cases are escalated."""
    closes_on = timezone.localdate() - datetime.timedelta(days=30)
    return SubmissionWindow.objects.filter(closes_on=closes_on).first() or make_window(closes_on=closes_on)


# --- Lectures and versions -----------------------------------------------------------------------


def make_lecture(
    author, department: Unit, *, subject: str = "toan", grade: int = 6, title: str = "Bài học", **extra
):
    """A lecture of `author` in `department` with its first draft version (`lecture_create`)."""
    return submission_services.lecture_create(
        author=author,
        department=department,
        subject=Subject.objects.get(code=subject),
        grade=grade,
        title=title,
        **extra,
    )


PDF_FILE = {
    "original_name": "Bài giảng phân số.pdf",
    "size": 1234,
    "detected_format": "pdf",
}


def make_draft(lecture, *, note: str = "", **file) -> LectureVersion:
    """The lecture's draft, started by its owner (`lecture_new_version`) when every version is
    submitted, holding a file whose check passed (`file`: LectureVersion fields, a PDF by default)."""
    draft = lecture.versions.filter(submitted_at__isnull=True).order_by("-number").first()
    if draft is None:
        draft = services.lecture_new_version(lecture=lecture, actor=lecture.author, change_note=note)
    fields = {"file_key": f"lectures/{lecture.pk}/v{draft.number}/bai-giang.pdf", **PDF_FILE, **file}
    fields.update(change_note=note or draft.change_note, check_status=LectureVersion.Check.PASSED)
    LectureVersion.objects.filter(pk=draft.pk).update(**fields)
    return LectureVersion.objects.get(pk=draft.pk)


# --- The owner's actions ---------------------------------------------------------------------------


def _nobody_reviews_at_school(lecture) -> bool:
    unit = school_review_unit(lecture)
    roles = (
        [Role.DEPARTMENT_HEAD] if unit.kind == Unit.Kind.DEPARTMENT else [Role.PRINCIPAL, Role.VICE_PRINCIPAL]
    )
    heads = User.objects.filter(is_active=True, roles__role__in=roles, roles__unit=unit)
    return not heads.exclude(pk=lecture.author_id).exists()


def submit_lecture(lecture, *, window: SubmissionWindow | None = None) -> ReviewCase:
    """The owner submits the draft (`lecture_submit`) on the last day of `window` (default: a
    window open today), or resubmits it after a return. When nobody heads the department, the
    lecture went in a window long closed, so its case is overdue and the principal decides it."""
    if window is None:
        window = overdue_window() if _nobody_reviews_at_school(lecture) else open_window()
    today = min(window.closes_on, timezone.localdate())
    case = services.lecture_submit(lecture=lecture, actor=lecture.author, today=today)
    assert case.previous_id or case.window_id == window.pk, "another window was open on that day"
    return case


def submit(author, department, *, window=None, title="Phân số bằng nhau", note="", **kwargs) -> ReviewCase:
    """A new lecture with one draft, submitted: its open school-level case."""
    lecture = make_lecture(author, department, title=title, **kwargs)
    make_draft(lecture, note=note)
    return submit_lecture(lecture, window=window)


def resubmit(case, *, note="Đã sửa theo yêu cầu") -> ReviewCase:
    """The owner of a returned case starts a new version and resubmits it: the new case."""
    make_draft(case.lecture, note=note)
    return services.lecture_resubmit(lecture=case.lecture, actor=case.lecture.author)


def withdraw(case) -> ReviewCase:
    return services.lecture_withdraw(lecture=case.lecture, actor=case.lecture.author)


# --- Reviewers' actions ----------------------------------------------------------------------------


def good_minutes(**kwargs) -> MinutesInput:
    return MinutesInput(
        strengths=kwargs.get("strengths", "Nội dung chính xác, hình ảnh rõ ràng."),
        limitations=kwargs.get("limitations", "Phần luyện tập còn ít."),
        required_changes=kwargs.get("required_changes", ""),
        conclusion=kwargs.get("conclusion", "Đạt yêu cầu."),
        scores=kwargs.get("scores", {}),
    )


def full_scores(points=None) -> dict:
    from reviews.models import Rubric

    rubric = Rubric.current()
    return {
        str(c.pk): (points if points is not None else c.max_points * 8 / 10) for c in rubric.criteria.all()
    }


def decider(case) -> User:
    """The person the case waits for: the department head, the school's leaders (also when the
    case is overdue: escalation), or the panel's chair."""
    people = services.case_reviewers(case)
    if not people and case.level == ReviewLevel.SCHOOL:
        people = [u for u in services.school_leaders(case) if u.pk != case.lecture.author_id]
    assert people, f"nobody can decide {case}"
    return people[0]


def assign(case, members=None) -> list:
    """The chair assigns `members` (default: the panel's first eligible members)."""
    return services.review_assign_members(
        case=case, actor=decider(case), members=members or services.default_members(case)
    )


def evaluate(case, *, recommendation: str = Recommendation.APPROVE) -> None:
    """Every assigned member who has not yet done so files an evaluation (assigning first if needed)."""
    if not case.assignments.exists():
        assign(case)
    done = set(case.evaluations.values_list("member_id", flat=True))
    for assignment in case.assignments.select_related("member").exclude(member_id__in=done):
        services.evaluation_submit(
            case=case,
            actor=assignment.member,
            scores=full_scores(),
            strengths="Tốt",
            required_changes="Sửa lỗi chính tả" if recommendation == Recommendation.RETURN else "",
            recommendation=recommendation,
        )


def _decide(service, case, recommendation, minutes):
    if case.is_panel_level:
        evaluate(case, recommendation=recommendation)
    return service(case=case, actor=decider(case), minutes=minutes)


def approve(case, *, minutes=None) -> ReviewCase:
    """The real decider approves (panel levels: after the members' evaluations)."""
    return _decide(services.review_approve, case, Recommendation.APPROVE, minutes or good_minutes())


def return_for_changes(case, *, changes="Bổ sung ví dụ") -> ReviewCase:
    return _decide(
        services.review_return, case, Recommendation.RETURN, good_minutes(required_changes=changes)
    )


def reject(case, *, reason="Không đạt yêu cầu.") -> ReviewCase:
    return _decide(services.review_reject, case, Recommendation.REJECT, good_minutes(conclusion=reason))


def nominator(case) -> User:
    """Who sends an approved case up: the school's leaders, the cluster head, the district officer."""
    if case.level == ReviewLevel.SCHOOL:
        return services.school_leaders(case)[0]
    role = {ReviewLevel.CLUSTER: Role.CLUSTER_HEAD, ReviewLevel.DISTRICT: Role.DISTRICT_OFFICER}[case.level]
    return User.objects.filter(is_active=True, roles__role=role, roles__unit=case.unit).order_by("pk")[0]


def nominate(case) -> ReviewCase:
    """The real nominator sends the approved case to the next panel: the new case, in review."""
    return services.review_nominate(case=case, actor=nominator(case), comment="Đề cử")


def approved_up_to(version: LectureVersion, unit: Unit) -> ReviewCase:
    """`version` approved at `unit`'s level by the whole real path: submitted if still a draft,
    approved at school, then nominated and approved panel by panel until `unit` decides."""
    version = LectureVersion.objects.select_related("lecture").get(pk=version.pk)  # the caller's may be stale
    lecture = version.lecture
    if version.submitted_at is None:
        approve(submit_lecture(lecture))
    case = ReviewCase.objects.filter(version=version).order_by("-pk").first()
    school_level = unit.kind in (Unit.Kind.SCHOOL, Unit.Kind.DEPARTMENT)
    while not (case.level == ReviewLevel.SCHOOL if school_level else case.unit_id == unit.pk):
        assert case.state == CaseState.APPROVED and case.level != ReviewLevel.CITY, (
            f"{case} never reaches {unit}"
        )
        case = approve(nominate(case))
    assert case.state == CaseState.APPROVED, f"{case} is {case.state}"
    return case


# --- Named states (the demo city's Toán lecture of demo.gv) ---------------------------------------


def approve_at_school(demo, case) -> ReviewCase:
    return approve(case)


def district_case(demo, **kwargs) -> ReviewCase:
    """demo.gv's lecture approved at school and nominated by the principal to the district panel."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), **kwargs)
    approve(case)
    return nominate(case)


def evaluated_district_case(demo, *, recommendation="approve", **kwargs) -> ReviewCase:
    """The district case, both members assigned by the chair and their evaluations filed."""
    case = district_case(demo, **kwargs)
    assign(case, [demo.user("demo.hdq.tv1"), demo.user("demo.hdq.tv2")])
    evaluate(case, recommendation=recommendation)
    return case


def fresh(case) -> ReviewCase:
    """The case as stored now (the protected FSM field forbids refresh_from_db)."""
    return ReviewCase.objects.get(pk=case.pk)


def staff_nguyen_trai(demo) -> None:
    """The demo city has nobody to review at TH Nguyễn Trãi: the admin gives the school a principal
    (`role_grant`) and sets up Lê Chân's Toán panel for primary (panels are admin-made)."""
    from accounts.models import Panel, PanelMembership, SchoolLevel
    from accounts.services import role_grant
    from tests.factories import UserFactory

    admin = demo.user("admin")
    principal = UserFactory(username="ht.nguyentrai", full_name="Hiệu trưởng Nguyễn Trãi")
    role_grant(target=principal, actor=admin, role=Role.PRINCIPAL, unit=demo.unit("TH-NGUYENTRAI"))
    panel, _ = Panel.objects.get_or_create(
        unit=demo.unit("PGD-LC"),
        subject=Subject.objects.get(code="toan"),
        school_level=SchoolLevel.PRIMARY,
        defaults={"name": "Hội đồng bộ môn Toán Tiểu học quận Lê Chân"},
    )
    for username, is_chair in (("hdlc.ct", True), ("hdlc.tv1", False), ("hdlc.tv2", False)):
        member = UserFactory(username=username)
        PanelMembership.objects.get_or_create(panel=panel, user=member, defaults={"is_chair": is_chair})
