"""The only way to change a review case (DESIGN.md 5).

Each service, in this order: opens `transaction.atomic`, locks the case row with
`select_for_update`, checks the state and the permission with the rule that draws the button
(`has_transition_perm` → `reviews.rules`), calls the FSM transition, writes the append-only
`CaseLog` (and the `Minutes` for a decision), and queues the notification e-mails with
`transaction.on_commit`, so a rolled-back decision notifies nobody.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django_fsm import has_transition_perm

from accounts.models import PanelMembership, RoleAssignment, Unit
from elearning.errors import Conflict
from repository.services import publication_publish, publication_reindex
from repository.services import publication_retract as library_retract
from submissions import selectors as submission_selectors
from submissions import services as submission_services
from submissions.models import Lecture, LectureVersion

from . import rules as review_rules
from .models import (
    NEW_VERSION_AFTER,
    OPEN_STATES,
    CaseLog,
    CaseState,
    Decision,
    Evaluation,
    Minutes,
    Notification,
    PanelAssignment,
    Recommendation,
    ReminderSent,
    ReviewCase,
    ReviewLevel,
    Rubric,
)
from .routing import LEVEL_OF_UNIT_KIND, RoutingError, next_panel, school_review_unit

TWO_PLACES = Decimal("0.01")
DEFAULT_REVIEW_DAYS = 7


class CaseConflict(Conflict):
    """The case is no longer in the state the action needs (someone else acted first)."""


ALREADY_DECIDED = gettext_lazy("Bài giảng này đã được quyết định.")


# --- Helpers ------------------------------------------------------------------------------------


def _log(case: ReviewCase, *, actor, transition: str, source: str, comment: str = "") -> CaseLog:
    return CaseLog.objects.create(
        case=case, actor=actor, transition=transition, source=source, target=case.state, comment=comment
    )


def _locked(case: ReviewCase) -> ReviewCase:
    # of=("self",): lock only the case row (PostgreSQL refuses FOR UPDATE on an outer join's nullable side).
    return (
        ReviewCase.objects.select_for_update(of=("self",))
        .select_related("lecture", "unit", "panel")
        .get(pk=case.pk)
    )


def _locked_in_review(case: ReviewCase, actor) -> ReviewCase:
    """Locks the case and checks it is visible to the actor (else PermissionDenied, which the
    views turn into 404 for an invisible case) and still waiting for a decision."""
    case = _locked(case)
    # SECURITY: an invisible case is "not found"; a visible one the user may not act on is 403.
    if not review_rules.can_view_case(actor, case):
        raise PermissionDenied
    if case.state != CaseState.IN_REVIEW:
        raise CaseConflict(ALREADY_DECIDED)
    return case


def _review_days(case_or_window) -> int:
    window = getattr(case_or_window, "window", case_or_window)
    return window.review_days if window is not None else DEFAULT_REVIEW_DAYS


def case_reviewers(case: ReviewCase) -> list:
    """The people a case waits for: the department head(s), the school's leaders, or the chair."""
    from accounts.models import User

    if case.level == ReviewLevel.SCHOOL:
        roles = (
            [RoleAssignment.Role.DEPARTMENT_HEAD]
            if case.unit.kind == Unit.Kind.DEPARTMENT
            else [RoleAssignment.Role.PRINCIPAL, RoleAssignment.Role.VICE_PRINCIPAL]
        )
        users = User.objects.filter(roles__role__in=roles, roles__unit=case.unit)
    else:
        users = User.objects.filter(
            panel_memberships__panel_id=case.panel_id, panel_memberships__is_chair=True
        )
    return list(users.filter(is_active=True).exclude(pk=case.lecture.author_id).distinct().order_by("pk"))


def school_leaders(case: ReviewCase) -> list:
    from accounts.models import User

    return list(
        User.objects.filter(
            is_active=True,
            roles__role__in=[RoleAssignment.Role.PRINCIPAL, RoleAssignment.Role.VICE_PRINCIPAL],
            roles__unit_id=case.lecture.school_id,
        )
        .distinct()
        .order_by("pk")
    )


def _authors(case: ReviewCase) -> list:
    return [case.lecture.author, *case.lecture.co_authors.all()]


def notification_send(
    *, users, kind: str, case: ReviewCase | None, message: str, params: dict, url: str = ""
) -> list[Notification]:
    """Creates in-app notifications and queues one e-mail each after the surrounding commit.

    `message` is the untranslated text (marked with `gettext_noop`) and `params` its plain values
    (a `level` is a ReviewLevel code): each reader sees it in their own language
    (`Notification.render`); `text` keeps it as written now, for the e-mail.
    """
    from .tasks import notification_email_task

    created = []
    for user in {u.pk: u for u in users}.values():
        note = Notification(user=user, kind=kind, case=case, message=message, params=params, url=url)
        note.text = note.render()[:500]
        note.save()
        notification_email_task.delay_on_commit(note.pk)
        created.append(note)
    return created


def _notify_waiting(case: ReviewCase) -> None:
    notification_send(
        users=case_reviewers(case),
        kind=Notification.Kind.WAITING,
        case=case,
        message=gettext_noop("Bài giảng “%(title)s” đang chờ bạn thẩm định (%(level)s)."),
        params={"title": case.lecture.title, "level": case.level},
        url=case.get_absolute_url(),
    )


# --- Opening cases ------------------------------------------------------------------------------


def case_submit(
    *, version: LectureVersion, actor, window=None, previous: ReviewCase | None = None
) -> ReviewCase:
    """Opens the case of a submitted version and puts it in review.

    A first submission opens at school level (the department head, or the school's leaders
    when the author heads the department), due at the end of the window + review days.
    With `previous` (a returned case of the same lecture) it is a resubmission: `previous`
    goes returned → resubmitted and the new version opens at the SAME level, unit and panel,
    with or without a window, due `review days` from today.

    Call inside `transaction.atomic` after locking the version (submissions.services does);
    locks `previous`. The partial unique constraint refuses a second open case for the lecture.
    Queues "waiting for you" notifications on commit.
    """
    lecture = version.lecture
    with transaction.atomic():
        if previous is not None:
            previous = _locked(previous)
            if previous.lecture_id != lecture.pk:
                raise ValidationError(_("Hồ sơ trước không thuộc bài giảng này."))
            if previous.state != CaseState.RETURNED:
                raise CaseConflict(_("Chỉ nộp lại được bài giảng đang được yêu cầu chỉnh sửa."))
            if previous.version_id == version.pk:
                raise ValidationError(_("Hãy tải lên một phiên bản mới trước khi nộp lại."))
            if not has_transition_perm(previous.resubmit, actor):
                raise PermissionDenied
            source = previous.state
            previous.resubmit()
            previous.save()
            _log(previous, actor=actor, transition="resubmit", source=source, comment=version.change_note)
        if ReviewCase.objects.filter(lecture=lecture, state__in=OPEN_STATES).exists():
            raise ValidationError(_("Bài giảng này đang có một hồ sơ thẩm định chưa kết thúc."))
        if previous is not None:
            case = ReviewCase(
                lecture=lecture,
                version=version,
                level=previous.level,
                unit=previous.unit,
                panel=previous.panel,
                window=window or previous.window,
                due_on=timezone.localdate()
                + datetime.timedelta(days=_review_days(window or previous.window)),
                previous=previous,
            )
        else:
            case = ReviewCase(
                lecture=lecture,
                version=version,
                level=ReviewLevel.SCHOOL,
                unit=school_review_unit(lecture),
                window=window,
                due_on=window.review_due_on if window else None,
            )
        case.save()
        if not has_transition_perm(case.submit, actor):
            raise PermissionDenied
        case.submit()
        case.save()
        _log(case, actor=actor, transition="submit", source=CaseState.DRAFT, comment=version.change_note)
        if previous is not None:
            # The same reviewers, who already know the lecture, get the new version.
            PanelAssignment.objects.bulk_create(
                [
                    PanelAssignment(case=case, member_id=a.member_id, assigned_by_id=a.assigned_by_id)
                    for a in previous.assignments.all()
                ]
            )
        _notify_waiting(case)
    return case


def case_withdraw(*, case: ReviewCase, actor) -> ReviewCase:
    """The author takes back a version still waiting at school level. Locks the case."""
    with transaction.atomic():
        case = _locked(case)
        if not review_rules.can_view_case(actor, case):
            raise PermissionDenied
        if case.state not in (CaseState.IN_REVIEW, CaseState.DRAFT) or case.level != ReviewLevel.SCHOOL:
            raise CaseConflict(_("Chỉ rút được bài đang chờ thẩm định cấp trường, trước khi có quyết định."))
        if not has_transition_perm(case.withdraw, actor):
            raise PermissionDenied
        source = case.state
        case.withdraw()
        case.save()
        _log(case, actor=actor, transition="withdraw", source=source)
    return case


# --- A lecture's life, as its owner acts on it ----------------------------------------------------


def lecture_submit(*, lecture: Lecture, actor, today: datetime.date | None = None) -> ReviewCase:
    """Submits the lecture's draft version for review and opens the school-level case.

    Locks the version (`submissions.services.version_lock_for_submit`). A first submission needs
    an open window (else the message says when the next one opens); a lecture returned for
    changes is resubmitted at any time (`lecture_resubmit`). Returns the new review case.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        version = submission_services.version_lock_for_submit(lecture=lecture, actor=actor)
        last = ReviewCase.latest_of(version.lecture)
        if last is not None and last.state == CaseState.RETURNED:
            return lecture_resubmit(lecture=version.lecture, actor=actor)
        level = version.lecture.school_level
        window = submission_selectors.window_open_on(today, school_level=level)
        if window is None:
            raise ValidationError(submission_selectors.closed_window_message(today, school_level=level))
        submission_services.version_mark_submitted(version=version, window=window)
        return case_submit(version=version, actor=actor, window=window)


def lecture_resubmit(*, lecture: Lecture, actor) -> ReviewCase:
    """Resubmits a lecture returned for changes, with no window check (DESIGN.md 4).

    Locks the version, then the returned case (in `case_submit`); the new case points at it.
    """
    with transaction.atomic():
        version = submission_services.version_lock_for_submit(lecture=lecture, actor=actor)
        returned = ReviewCase.latest_of(version.lecture)
        if returned is None or returned.state != CaseState.RETURNED:
            raise CaseConflict(_("Bài giảng này không ở trạng thái cần chỉnh sửa."))
        submission_services.version_mark_submitted(version=version, window=returned.window)
        return case_submit(version=version, actor=actor, window=None, previous=returned)


def lecture_withdraw(*, lecture: Lecture, actor) -> ReviewCase:
    """The owner takes back a version waiting for the school-level decision (`case_withdraw`)."""
    case = ReviewCase.latest_of(lecture)
    if case is None or case.state != CaseState.IN_REVIEW:
        raise CaseConflict(_("Không có bài nào đang chờ thẩm định để rút."))
    return case_withdraw(case=case, actor=actor)


def lecture_new_version(*, lecture: Lecture, actor, change_note: str = "") -> LectureVersion:
    """Starts the next draft once the lecture's last case has ended (approved, returned,
    rejected or withdrawn). Locks the lecture (`submissions.services.version_new`)."""
    with transaction.atomic():
        case = ReviewCase.latest_of(lecture)
        if case is None or case.state not in NEW_VERSION_AFTER:
            raise CaseConflict(
                _(
                    "Chỉ tạo phiên bản mới khi bài giảng đã được phê duyệt, bị trả lại, không được duyệt hoặc đã rút."
                )
            )
        return submission_services.version_new(lecture=lecture, actor=actor, change_note=change_note)


def lecture_update(*, lecture: Lecture, actor, **fields) -> Lecture:
    """Changes a draft lecture's details and keeps the library's copy of them in step.

    Locks the lecture (`submissions.services.lecture_update`), then its publications.
    """
    with transaction.atomic():
        lecture = submission_services.lecture_update(lecture=lecture, actor=actor, **fields)
        publication_reindex(lecture)
    return lecture


# --- Decisions ------------------------------------------------------------------------------------


@dataclass
class MinutesInput:
    """What the person deciding writes into the minutes. `scores`: criterion id → points
    (school level; at panel levels the members' evaluations are averaged instead)."""

    strengths: str = ""
    limitations: str = ""
    required_changes: str = ""
    conclusion: str = ""
    scores: dict = field(default_factory=dict)


def _num(value: Decimal) -> str:
    """50.00 → "50", 12.50 → "12,5" (Vietnamese decimal comma)."""
    return format(value.normalize(), "f").replace(".", ",")


def _to_points(value) -> Decimal:
    try:
        return Decimal(str(value).replace(",", ".")).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("Điểm phải là một số.")) from exc


def _clean_scores(rubric: Rubric, raw: dict, *, required: bool) -> dict[str, Decimal]:
    """Checks points per criterion against the rubric; all or nothing."""
    raw = {str(k): v for k, v in (raw or {}).items() if v not in (None, "")}
    if not raw and not required:
        return {}
    cleaned = {}
    for criterion in rubric.criteria.all():
        if str(criterion.pk) not in raw:
            raise ValidationError(
                _("Hãy chấm điểm đủ các tiêu chí (thiếu: %(name)s).") % {"name": criterion.name}
            )
        points = _to_points(raw[str(criterion.pk)])
        if points < 0 or points > criterion.max_points:
            raise ValidationError(
                _("Điểm tiêu chí “%(name)s” phải từ 0 đến %(max)s.")
                % {"name": criterion.name, "max": _num(criterion.max_points)}
            )
        cleaned[str(criterion.pk)] = points
    return cleaned


def _panel_scores(case: ReviewCase, rubric: Rubric) -> dict[str, Decimal]:
    evaluations = list(case.evaluations.all())
    if not evaluations:
        return {}
    averaged = {}
    for criterion in rubric.criteria.all():
        values = [
            _to_points(e.scores[str(criterion.pk)]) for e in evaluations if str(criterion.pk) in e.scores
        ]
        if values:
            averaged[str(criterion.pk)] = (sum(values) / len(values)).quantize(
                TWO_PLACES, rounding=ROUND_HALF_UP
            )
    return averaged


def _reviewer_lines(case: ReviewCase, actor) -> list[dict]:
    if case.level == ReviewLevel.SCHOOL:
        if case.unit.kind == Unit.Kind.DEPARTMENT and review_rules.is_case_reviewer(actor, case):
            role = _("Tổ trưởng chuyên môn – %(unit)s") % {"unit": case.unit.name}
        else:
            role = _("Ban giám hiệu – %(school)s") % {"school": case.lecture.school.name}
        return [{"name": actor.get_full_name(), "role": role}]
    lines = [{"name": actor.get_full_name(), "role": _("Chủ tịch hội đồng")}]
    for assignment in case.assignments.select_related("member"):
        if assignment.member_id != actor.pk:
            lines.append({"name": assignment.member.get_full_name(), "role": _("Thành viên")})
    return lines


def _decide(*, case: ReviewCase, actor, decision: str, minutes: MinutesInput) -> ReviewCase:
    with transaction.atomic():
        case = _locked_in_review(case, actor)
        transition = {
            Decision.APPROVE: case.approve,
            Decision.RETURN: case.return_for_changes,
            Decision.REJECT: case.reject,
        }[decision]
        if not has_transition_perm(transition, actor):
            raise PermissionDenied
        minutes = MinutesInput(
            strengths=minutes.strengths.strip(),
            limitations=minutes.limitations.strip(),
            required_changes=minutes.required_changes.strip(),
            conclusion=minutes.conclusion.strip(),
            scores=minutes.scores,
        )
        if decision == Decision.RETURN and not minutes.required_changes:
            raise ValidationError(
                {"required_changes": _("Hãy ghi rõ những yêu cầu điều chỉnh để tác giả sửa bài.")}
            )
        if decision == Decision.REJECT and not minutes.conclusion:
            raise ValidationError({"conclusion": _("Hãy ghi rõ lý do không phê duyệt trong phần kết luận.")})
        rubric = Rubric.current()
        if case.is_panel_level:
            assigned = set(case.assignments.values_list("member_id", flat=True))
            evaluated = set(case.evaluations.values_list("member_id", flat=True))
            if not assigned:
                raise ValidationError(_("Hãy phân công thành viên hội đồng đánh giá trước khi kết luận."))
            if assigned - evaluated:
                raise ValidationError(
                    _("Còn %(n)d thành viên chưa nộp phiếu đánh giá.") % {"n": len(assigned - evaluated)}
                )
            scores = _panel_scores(case, rubric) if rubric else {}
        else:
            scores = _clean_scores(rubric, minutes.scores, required=False) if rubric else {}
        total = sum(scores.values(), Decimal("0")) if scores else None
        if decision == Decision.APPROVE and total is not None and rubric and total < rubric.pass_mark:
            raise ValidationError(
                _("Tổng điểm %(total)s thấp hơn điểm đạt %(pass)s: không thể phê duyệt.")
                % {"total": _num(total), "pass": _num(rubric.pass_mark)}
            )
        source = case.state
        transition(by=actor)
        case.save()
        comment = minutes.required_changes if decision == Decision.RETURN else minutes.conclusion
        _log(case, actor=actor, transition=transition.__name__, source=source, comment=comment)
        parent = case.unit.parent
        record = Minutes.objects.create(
            case=case,
            decision=decision,
            level=case.level,
            unit_name=case.lecture.school.name if case.level == ReviewLevel.SCHOOL else case.unit.name,
            parent_unit_name=(
                case.lecture.school.parent.name
                if case.level == ReviewLevel.SCHOOL and case.lecture.school.parent
                else (parent.name if parent and case.level != ReviewLevel.SCHOOL else "")
            ),
            reviewers=_reviewer_lines(case, actor),
            scores=[
                {"criterion": c.name, "max_points": str(c.max_points), "points": str(scores[str(c.pk)])}
                for c in (rubric.criteria.all() if rubric else [])
                if str(c.pk) in scores
            ],
            total=total,
            max_total=rubric.max_total if (rubric and scores) else None,
            pass_mark=rubric.pass_mark if (rubric and scores) else None,
            strengths=minutes.strengths,
            limitations=minutes.limitations,
            required_changes=minutes.required_changes,
            conclusion=minutes.conclusion,
            decided_by=actor,
            decided_at=case.decided_at,
        )
        if decision == Decision.APPROVE:
            # A school-level approval (decided in a department) publishes into the school's library.
            scope = case.unit.school if case.unit.kind == Unit.Kind.DEPARTMENT else case.unit
            publication_publish(version=case.version, scope=scope, level=case.level, actor=actor)
        message = {
            Decision.APPROVE: gettext_noop("Bài giảng “%(title)s” đã được phê duyệt (%(level)s)."),
            Decision.RETURN: gettext_noop(
                "Bài giảng “%(title)s” cần chỉnh sửa (%(level)s): xem biên bản và nộp lại."
            ),
            Decision.REJECT: gettext_noop("Bài giảng “%(title)s” không được phê duyệt (%(level)s)."),
        }[decision]
        notification_send(
            users=_authors(case),
            kind=Notification.Kind.DECIDED,
            case=case,
            message=message,
            params={"title": case.lecture.title, "level": case.level},
            url=record.get_absolute_url(),
        )
    return case


def review_approve(*, case: ReviewCase, actor, minutes: MinutesInput) -> ReviewCase:
    """Approves the case, writes the minutes and publishes the version at the case's scope.

    Locks the case; a case already decided raises `CaseConflict` ("already decided").
    At panel levels every assigned member must have filed an evaluation. Queues the author's
    notification on commit.
    """
    return _decide(case=case, actor=actor, decision=Decision.APPROVE, minutes=minutes)


def review_return(*, case: ReviewCase, actor, minutes: MinutesInput) -> ReviewCase:
    """Returns the case for changes; refused without required changes. Locks; notifies on commit."""
    return _decide(case=case, actor=actor, decision=Decision.RETURN, minutes=minutes)


def review_reject(*, case: ReviewCase, actor, minutes: MinutesInput) -> ReviewCase:
    """Rejects the case; refused without a reason (the conclusion). Lower-level publications stay.
    Locks; notifies on commit."""
    return _decide(case=case, actor=actor, decision=Decision.REJECT, minutes=minutes)


# --- Nomination -----------------------------------------------------------------------------------


def review_nominate(*, case: ReviewCase, actor, comment: str = "") -> ReviewCase:
    """Sends an approved lecture to the panel of the next level of the school's reporting line.

    Locks the approved case; refuses (RoutingError, a ValidationError) when the next unit has no
    panel for the subject and school level. Opens the new case in review and queues the chair's
    notification on commit. Returns the new case.
    """
    with transaction.atomic():
        case = _locked(case)
        if not review_rules.can_view_case(actor, case):
            raise PermissionDenied
        if case.state == CaseState.APPROVED and case.nominated_at is not None:
            raise CaseConflict(_("Bài giảng này đã được đề cử lên cấp trên."))
        if case.state != CaseState.APPROVED:
            raise CaseConflict(_("Chỉ đề cử được bài giảng đã được phê duyệt."))
        if case.level == ReviewLevel.CITY:
            raise CaseConflict(_("Bài giảng đã được phê duyệt ở cấp cao nhất."))
        if not has_transition_perm(case.nominate, actor):
            raise PermissionDenied
        try:
            panel = next_panel(case.lecture, case.unit)
        except RoutingError as exc:
            raise ValidationError(str(exc)) from exc
        case.nominate(by=actor)
        case.save()
        _log(case, actor=actor, transition="nominate", source=CaseState.APPROVED, comment=comment)
        new_case = ReviewCase(
            lecture=case.lecture,
            version=case.version,
            level=LEVEL_OF_UNIT_KIND[panel.unit.kind],
            unit=panel.unit,
            panel=panel,
            due_on=timezone.localdate() + datetime.timedelta(days=_review_days(case)),
            previous=case,
        )
        new_case.submit()  # permission checked above: the nominator's, not the author's
        try:
            with transaction.atomic():
                new_case.save()
        except IntegrityError as exc:
            raise CaseConflict(_("Bài giảng này đang có một hồ sơ thẩm định chưa kết thúc.")) from exc
        _log(new_case, actor=actor, transition="nominate", source=CaseState.DRAFT, comment=comment)
        _notify_waiting(new_case)
    return new_case


# --- Panel work -------------------------------------------------------------------------------------


def eligible_members(case: ReviewCase):
    """Panel members the chair may assign: never the author or a co-author, never anyone with
    a role in the author's school (conflict of interest)."""
    from accounts.models import User

    if case.panel_id is None:
        return User.objects.none()
    school = case.lecture.school
    conflicted = RoleAssignment.objects.filter(unit__path__startswith=school.path).values("user_id")
    authors = [case.lecture.author_id, *case.lecture.co_authors.values_list("pk", flat=True)]
    return (
        User.objects.filter(is_active=True, panel_memberships__panel_id=case.panel_id)
        .exclude(pk__in=conflicted)
        .exclude(pk__in=authors)
        .order_by("panel_memberships__is_chair", "full_name")
    )


def default_members(case: ReviewCase, count: int = 2) -> list:
    """The chair's default choice: the first `count` eligible members other than the chair."""
    chair_ids = set(
        PanelMembership.objects.filter(panel_id=case.panel_id, is_chair=True).values_list(
            "user_id", flat=True
        )
    )
    return [u for u in eligible_members(case) if u.pk not in chair_ids][:count]


def review_assign_members(*, case: ReviewCase, actor, members) -> list[PanelAssignment]:
    """The chair sets who evaluates the case. Members who already filed an evaluation stay.

    Locks the case. Refuses members outside the panel, from the author's school (conflict of
    interest) or the author. Queues the new members' notifications on commit.
    """
    with transaction.atomic():
        case = _locked_in_review(case, actor)
        if not review_rules.can_assign_members(actor, case):
            raise PermissionDenied
        wanted = {m.pk: m for m in members}
        if not wanted:
            raise ValidationError(_("Hãy chọn ít nhất một thành viên."))
        allowed = set(eligible_members(case).values_list("pk", flat=True))
        # SECURITY: conflict of interest is enforced here, not only by the form's choices.
        refused = [m for pk, m in wanted.items() if pk not in allowed]
        if refused:
            raise ValidationError(
                _("Không thể phân công %(names)s: không thuộc hội đồng hoặc cùng trường với tác giả.")
                % {"names": ", ".join(m.get_full_name() for m in refused)}
            )
        current = {a.member_id: a for a in case.assignments.all()}
        evaluated = set(case.evaluations.values_list("member_id", flat=True))
        for member_id, assignment in current.items():
            if member_id not in wanted and member_id not in evaluated:
                PanelAssignment.objects.filter(pk=assignment.pk).delete()
        new = [
            PanelAssignment.objects.create(case=case, member=m, assigned_by=actor)
            for pk, m in wanted.items()
            if pk not in current
        ]
        names = ", ".join(m.get_full_name() for m in wanted.values())
        _log(case, actor=actor, transition="assign", source=case.state, comment=names)
        notification_send(
            users=[a.member for a in new],
            kind=Notification.Kind.ASSIGNED,
            case=case,
            message=gettext_noop("Bạn được phân công đánh giá bài giảng “%(title)s” (%(panel)s)."),
            params={"title": case.lecture.title, "panel": case.panel.name},
            url=case.get_absolute_url(),
        )
    return list(case.assignments.all())


def evaluation_submit(
    *,
    case: ReviewCase,
    actor,
    scores: dict,
    strengths: str = "",
    limitations: str = "",
    required_changes: str = "",
    recommendation: str,
) -> Evaluation:
    """An assigned member files (or corrects, until the decision) their evaluation.

    Locks the case. Scores must cover every criterion of the current rubric within its maximum;
    a recommendation to return needs required changes.
    """
    with transaction.atomic():
        case = _locked_in_review(case, actor)
        if not review_rules.can_evaluate_case(actor, case):
            raise PermissionDenied
        if recommendation not in Recommendation.values:
            raise ValidationError({"recommendation": _("Hãy chọn đề xuất.")})
        if recommendation == Recommendation.RETURN and not required_changes.strip():
            raise ValidationError({"required_changes": _("Hãy ghi rõ yêu cầu điều chỉnh.")})
        rubric = Rubric.current()
        if rubric is None:
            raise ValidationError(
                _(
                    "Chưa có bộ tiêu chí thẩm định nào đang dùng. Hãy báo quản trị hệ thống bật một bộ tiêu chí."
                )
            )
        cleaned = _clean_scores(rubric, scores, required=True)
        evaluation, _created = Evaluation.objects.update_or_create(
            case=case,
            member=actor,
            defaults={
                "rubric": rubric,
                "scores": {k: str(v) for k, v in cleaned.items()},
                "total": sum(cleaned.values(), Decimal("0")),
                "strengths": strengths.strip(),
                "limitations": limitations.strip(),
                "required_changes": required_changes.strip(),
                "recommendation": recommendation,
            },
        )
    return evaluation


# --- Notifications ---------------------------------------------------------------------------------


def notifications_mark_read(*, user, ids=None) -> int:
    """Marks the user's notifications (all, or the given ids) as read."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def review_reminders_send(*, today: datetime.date | None = None) -> int:
    """Daily reminders: a review due in REVIEW_REMINDER_DAYS days (to the reviewers) and an
    overdue review (to the reviewers and, at school level, the school's leaders).

    Idempotent: a `ReminderSent` row per case × person × kind × day (unique) means a second run
    the same day sends nothing. Each reminder commits on its own; e-mails go on commit.
    Returns the number of reminders sent.
    """
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=settings.REVIEW_REMINDER_DAYS)
    sent = 0
    open_cases = ReviewCase.objects.filter(state=CaseState.IN_REVIEW, due_on__isnull=False).select_related(
        "lecture", "unit", "panel"
    )
    for case in open_cases.filter(due_on__lte=soon):
        if case.due_on == soon:
            kind, recipients = Notification.Kind.DUE_SOON, case_reviewers(case)
            text = gettext_noop("Bài giảng “%(title)s” cần thẩm định trước ngày %(due)s.")
        elif case.due_on < today:
            kind = Notification.Kind.OVERDUE
            recipients = case_reviewers(case)
            if case.level == ReviewLevel.SCHOOL:
                recipients += school_leaders(case)
            text = gettext_noop("Bài giảng “%(title)s” đã quá hạn thẩm định (hạn %(due)s).")
        else:
            continue
        if case.is_panel_level:
            evaluated = set(case.evaluations.values_list("member_id", flat=True))
            recipients += [
                a.member for a in case.assignments.select_related("member") if a.member_id not in evaluated
            ]
        params = {"title": case.lecture.title, "due": case.due_on.strftime("%d/%m/%Y")}
        for user in {u.pk: u for u in recipients}.values():
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(case=case, user=user, kind=kind, day=today)
                    notification_send(
                        users=[user],
                        kind=kind,
                        case=case,
                        message=text,
                        params=params,
                        url=case.get_absolute_url(),
                    )
            except IntegrityError:
                continue  # already reminded today
            sent += 1
    return sent


def panel_membership_of(user, case: ReviewCase) -> PanelMembership | None:
    if case.panel_id is None:
        return None
    return PanelMembership.objects.filter(panel_id=case.panel_id, user=user).first()


# --- Retraction from a library (issue 15) -------------------------------------------------------


def publication_retract(*, publication, actor, reason: str):
    """Takes a publication out of its library and tells the lecture's authors why.

    `repository.services.publication_retract` locks the publication, refuses a missing reason
    (ValidationError) and anyone who is not an officer of the scope (PermissionDenied), and
    records who, when and why with its `retracted` event. Then the author and co-authors get a
    bell notification each, e-mailed after the commit; a refusal writes and sends nothing. The
    officer who retracts is not told of their own act, even when they co-wrote the lecture.
    """
    with transaction.atomic():
        publication = library_retract(publication=publication, actor=actor, reason=reason)
        lecture = publication.lecture
        notification_send(
            users=[u for u in [lecture.author, *lecture.co_authors.all()] if u.pk != actor.pk],
            kind=Notification.Kind.RETRACTED,
            case=None,
            message=gettext_noop("Bài giảng “%(title)s” đã bị gỡ khỏi kho của %(scope)s. Lý do: %(reason)s"),
            params={
                "title": lecture.title,
                "scope": publication.scope.name,
                "reason": publication.retraction_reason,
            },
            url=lecture.get_absolute_url(),
        )
    return publication
