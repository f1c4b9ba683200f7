"""A level's decision: the minutes, scores checked against the rubric, approve, return or reject."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import has_transition_perm

from accounts.documents import document_frame, document_number_issue, document_symbol
from accounts.models import Unit
from repository.services import publication_publish

from .. import rules as review_rules
from ..models import Decision, Minutes, Notification, ReviewCase, ReviewLevel, Rubric
from .approved import approved_document_request
from .base import _locked_in_review, _log
from .notifications import notification_send
from .people import _authors

TWO_PLACES = Decimal("0.01")


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


def _minutes_document(case: ReviewCase) -> tuple[str, dict]:
    """The minutes' "Số" ("3/BB-PGDĐT") from the issuing unit's register, and its header: the
    school for a school-level decision, else the panel's cluster, district or city. Call inside
    the decision's transaction: the register row stays locked until it commits."""
    issuer = case.lecture.school if case.level == ReviewLevel.SCHOOL else case.unit
    frame = document_frame(issuer)
    year = timezone.localtime(case.decided_at).year
    number = document_number_issue(unit=issuer, year=year)
    return document_symbol(number, "BB", frame.abbreviation), frame.as_dict()


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
        number, frame = _minutes_document(case)
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
            number=number,
            frame=frame,
        )
        if decision == Decision.APPROVE:
            # A school-level approval (decided in a department) publishes into the school's library.
            scope = case.unit.school if case.unit.kind == Unit.Kind.DEPARTMENT else case.unit
            publication_publish(version=case.version, scope=scope, level=case.level, actor=actor)
            approved_document_request(minutes=record)
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
