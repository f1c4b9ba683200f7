"""Panel work: whom the chair may assign, the assignment, the members' evaluations."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import PanelMembership, RoleAssignment
from elearning.text import vi_collate

from .. import rules as review_rules
from ..models import Evaluation, Notification, PanelAssignment, Recommendation, ReviewCase, Rubric
from .base import _locked_in_review, _log
from .decisions import _clean_scores
from .notifications import notification_send


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
        .order_by("panel_memberships__is_chair", vi_collate("full_name"))
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


def panel_membership_of(user, case: ReviewCase) -> PanelMembership | None:
    if case.panel_id is None:
        return None
    return PanelMembership.objects.filter(panel_id=case.panel_id, user=user).first()
