"""Reads of review cases, each filtered by its twin rule in rules.py."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Func, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User

from . import rules as review_rules
from .models import CaseState, Evaluation, Minutes, Notification, ReviewCase, ReviewLevel

CASE_RELATED = (
    "lecture",
    "lecture__author",
    "lecture__subject",
    "lecture__school",
    "lecture__department",
    "version",
    "record",
    "record__kind",
    "record__owner",
    "record__school",
    "record__unit",
    "record__subject",
    "record_version",
    "unit",
    "panel",
    "window",
)


def _base() -> QuerySet[ReviewCase]:
    return ReviewCase.objects.select_related(*CASE_RELATED)


def cases_visible_to(user) -> QuerySet[ReviewCase]:
    return _base().filter(pk__in=ReviewCase.objects.filter(review_rules.cases_visible_q(user)).values("pk"))


def case_for(user, pk) -> ReviewCase | None:
    return cases_visible_to(user).filter(pk=pk).first()


@dataclass
class CaseFilters:
    subject: str = ""
    grade: str = ""
    window: str = ""
    state: str = ""
    kind: str = ""  # "lecture", a record kind's code, or "" for all

    @classmethod
    def from_request(cls, data, *, default_state: str = CaseState.IN_REVIEW) -> CaseFilters:
        return cls(
            subject=data.get("subject", ""),
            grade=data.get("grade", ""),
            window=data.get("window", ""),
            state=data.get("state", default_state),
            kind=data.get("kind", ""),
        )

    def apply(self, qs: QuerySet[ReviewCase]) -> QuerySet[ReviewCase]:
        if self.kind == "lecture":
            qs = qs.filter(lecture__isnull=False)
        elif self.kind:
            qs = qs.filter(record__kind__code=self.kind)
        if self.subject.isdigit():
            qs = qs.filter(lecture__subject_id=self.subject)
        if self.grade.isdigit():
            qs = qs.filter(lecture__grade=int(self.grade))
        if self.window.isdigit():
            qs = qs.filter(window_id=self.window)
        if self.state == "overdue":
            qs = qs.filter(state=CaseState.IN_REVIEW, due_on__lt=timezone.localdate())
        elif self.state in CaseState.values:
            qs = qs.filter(state=self.state)
        return qs


def review_queue(user, filters: CaseFilters) -> QuerySet[ReviewCase]:
    """ "Bài giảng chờ thẩm định": the cases the user decides (department head, school leaders
    for their own school unit, panel chair), oldest due first."""
    qs = _base().filter(review_rules.cases_in_charge_q(user))
    return filters.apply(qs).order_by("due_on", "opened_at")


def school_cases(user, filters: CaseFilters) -> QuerySet[ReviewCase]:
    """Every case of the lectures the user oversees (principal: the school; cluster head,
    district officer: their schools; leaders: everything)."""
    from accounts.rules import work_visible_q

    scope_q = work_visible_q(
        user, author="lecture__author", unit_path="lecture__department__path", subject="lecture__subject"
    )
    qs = _base().filter(scope_q).exclude(lecture__author=user)
    return filters.apply(qs).order_by("-opened_at")


def escalations(user) -> QuerySet[ReviewCase]:
    """Overdue school-level cases the user may decide in place of the department head."""
    return (
        _base()
        .filter(
            review_rules.cases_reviewable_q(user), level=ReviewLevel.SCHOOL, due_on__lt=timezone.localdate()
        )
        .order_by("due_on")
    )


def nominatable_cases(user) -> QuerySet[ReviewCase]:
    return _base().filter(review_rules.cases_nominatable_q(user)).order_by("-decided_at")


def assigned_cases(user, *, open_only: bool = False) -> QuerySet[ReviewCase]:
    r = review_rules.review_roles(user)
    qs = _base().filter(assignments__member_id=r.user_id)
    if open_only:
        qs = qs.filter(state=CaseState.IN_REVIEW)
    return qs.order_by("state", "due_on")


def evaluation_of(case: ReviewCase, user) -> Evaluation | None:
    return Evaluation.objects.filter(case=case, member=user).first()


def minutes_visible_to(user) -> QuerySet[Minutes]:
    return Minutes.objects.select_related("case", "case__lecture", "case__version", "decided_by").filter(
        case__in=ReviewCase.objects.filter(review_rules.cases_visible_q(user)).values("pk")
    )


def minutes_for_lecture(lecture, user) -> QuerySet[Minutes]:
    """The minutes of every decision on the lecture that the user may read, newest first.

    For the submissions pages: `{% for m in minutes %}<a href="{% url 'reviews:minutes_detail' m.pk %}">`.
    """
    return minutes_visible_to(user).filter(case__lecture=lecture).order_by("-decided_at")


def cases_for_lecture(lecture, user) -> QuerySet[ReviewCase]:
    return cases_visible_to(user).filter(lecture=lecture).order_by("opened_at", "pk")


def notifications_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def unread_count(user) -> int:
    """The user's unread notifications: counted once a request (the bell and the home card share
    it through the request's user object; marking read forgets it)."""
    cached = getattr(user, "_unread_count", None)
    if cached is None:
        cached = Notification.objects.filter(user=user, read_at__isnull=True).count()
        user._unread_count = cached
    return cached


def count_of(qs: QuerySet) -> Coalesce:
    """`qs.count()` as a scalar subquery (0 when the filter can match nothing), so that several
    counts are read in one query (`home_counts`)."""
    rows = qs.order_by().annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
    return Coalesce(Subquery(rows.values("n")), Value(0))


def home_counts(user) -> dict[str, int]:
    """The home cards' counts and the bell's, in one query: each count is a subquery of the user's
    row, read by its own index as if alone."""
    today = timezone.localdate()
    reviewable = ReviewCase.objects.filter(review_rules.cases_reviewable_q(user))
    counts = {
        "waiting": count_of(reviewable),
        "overdue": count_of(reviewable.filter(due_on__lt=today)),
        "assigned": count_of(
            ReviewCase.objects.filter(review_rules.cases_evaluable_q(user)).exclude(evaluations__member=user)
        ),
        "nominatable": count_of(ReviewCase.objects.filter(review_rules.cases_nominatable_q(user))),
    }
    cached_unread = getattr(user, "_unread_count", None)
    if cached_unread is None:
        counts["unread"] = count_of(Notification.objects.filter(user=user, read_at__isnull=True))
    row = User.objects.filter(pk=user.pk).values(**counts).get()
    if cached_unread is None:
        user._unread_count = row["unread"]
    else:
        row["unread"] = cached_unread
    return row


def queue_subjects(qs: QuerySet[ReviewCase]):
    from accounts.models import Subject

    return Subject.objects.filter(pk__in=qs.values("lecture__subject_id")).order_by("order", "name")


def queue_kinds(qs: QuerySet[ReviewCase]) -> list[tuple[str, str]]:
    """The kinds of work in a queue, for its filter: lectures and the record kinds present."""
    from django.utils.translation import gettext as _

    from submissions.models import RecordKind

    kinds = [("lecture", _("Bài giảng điện tử"))] if qs.filter(lecture__isnull=False).exists() else []
    kinds += [
        (k.code, k.name)
        for k in RecordKind.objects.filter(pk__in=qs.filter(record__isnull=False).values("record__kind_id"))
    ]
    return kinds


def queue_windows(qs: QuerySet[ReviewCase]):
    from submissions.models import SubmissionWindow

    return SubmissionWindow.objects.filter(pk__in=qs.values("window_id")).order_by("-opens_on")


def approval_trail(*, version_id: int) -> list[dict]:
    """The review cases of a version, per level in order, with their log and minutes summaries."""
    cases = list(
        ReviewCase.objects.filter(version_id=version_id)
        .select_related("unit", "decided_by")
        .prefetch_related("log__actor")
        .order_by("opened_at", "pk")
    )
    minutes_by_case: dict[int, list[Minutes]] = {}
    for minutes in Minutes.objects.filter(case__in=cases):
        minutes_by_case.setdefault(minutes.case_id, []).append(minutes)
    return [
        {"case": case, "log": list(case.log.all()), "minutes": minutes_by_case.get(case.pk, [])}
        for case in cases
    ]
