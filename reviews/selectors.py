"""Reads of review cases, each filtered by its twin rule in rules.py."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Min, Q, QuerySet, Subquery, Value
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

    def q(self) -> Q:
        """The filters as one condition (every field is on the case or a single-valued relation,
        so one filter with this is the same as one filter per field)."""
        q = Q()
        if self.kind == "lecture":
            q &= Q(lecture__isnull=False)
        elif self.kind:
            q &= Q(record__kind__code=self.kind)
        if self.subject.isdigit():
            q &= Q(lecture__subject_id=self.subject)
        if self.grade.isdigit():
            q &= Q(lecture__grade=int(self.grade))
        if self.window.isdigit():
            q &= Q(window_id=self.window)
        if self.state == "overdue":
            q &= Q(state=CaseState.IN_REVIEW, due_on__lt=timezone.localdate())
        elif self.state in CaseState.values:
            q &= Q(state=self.state)
        return q

    def apply(self, qs: QuerySet[ReviewCase]) -> QuerySet[ReviewCase]:
        return qs.filter(self.q())


def review_queue(user, filters: CaseFilters) -> QuerySet[ReviewCase]:
    """ "Bài giảng chờ thẩm định": the cases the user decides (department head, school leaders
    for their own school unit, panel chair), oldest due first."""
    qs = _base().filter(review_rules.cases_in_charge_q(user))
    return filters.apply(qs).order_by("due_on", "opened_at", "pk")


def school_cases(user, filters: CaseFilters) -> QuerySet[ReviewCase]:
    """Every case of the lectures the user oversees (principal: the school; cluster head,
    district officer: their schools; leaders: everything), but their own, newest first.

    The scope is a subquery of lecture ids read on the lectures' own indexed columns (author,
    department, subject: `work_visible_by_unit_q`), so neither the count nor the page joins every
    case of the city to its lecture and its department's path."""
    from accounts.rules import scope_for, work_visible_by_unit_q
    from submissions.models import Lecture

    if scope_for(user).everything:
        qs = _base().exclude(lecture_id__in=Lecture.objects.filter(author_id=user.pk).values("pk"))
    else:
        lectures = Lecture.objects.filter(work_visible_by_unit_q(user, own=False)).exclude(author_id=user.pk)
        qs = _base().filter(lecture_id__in=lectures.values("pk"))
    return filters.apply(qs).order_by("-opened_at", "-pk")


# The short lists above a unit's case list show a case's lecture title and author: two joins, so
# that PostgreSQL still orders the joins itself (past join_collapse_limit, 8, it joins in the
# written order and would join every case to its related rows before filtering).
SHORT_LIST_RELATED = ("lecture", "lecture__author")


def escalations(user) -> QuerySet[ReviewCase]:
    """Overdue school-level cases the user may decide in place of the department head."""
    return (
        ReviewCase.objects.select_related(*SHORT_LIST_RELATED)
        .filter(
            review_rules.cases_reviewable_q(user), level=ReviewLevel.SCHOOL, due_on__lt=timezone.localdate()
        )
        .order_by("due_on", "pk")
    )


def nominatable_cases(user) -> QuerySet[ReviewCase]:
    return (
        ReviewCase.objects.select_related(*SHORT_LIST_RELATED)
        .filter(review_rules.cases_nominatable_q(user))
        .order_by("-decided_at", "-pk")
    )


def assigned_cases(user, *, open_only: bool = False) -> QuerySet[ReviewCase]:
    r = review_rules.review_roles(user)
    qs = _base().filter(assignments__member_id=r.user_id)
    if open_only:
        qs = qs.filter(state=CaseState.IN_REVIEW)
    return qs.order_by("state", "due_on", "pk")


def evaluated_among(user, cases) -> set[int]:
    """Which of these cases (a page of the assigned list) the member has voted on."""
    return set(
        Evaluation.objects.filter(member=user, case__in=[c.pk for c in cases]).values_list(
            "case_id", flat=True
        )
    )


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


class IdsFirst:
    """A case list for the Paginator that picks a page's ids before joining: the 30 ids are
    chosen in a sliced subquery on the cases (their filters and the order's index), and only those
    30 cases are joined to their lectures, authors, units, windows… The list has more joins than
    PostgreSQL reorders (join_collapse_limit, 8): filtered after the joins, a page of a school's
    cases joined every case of the city first."""

    ordered = True

    def __init__(self, qs):
        self.qs = qs

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("IdsFirst pages by slices only")
        ids = self.qs.values("pk")[index]
        page = self.qs.model.objects.select_related(*CASE_RELATED).order_by(*self.qs.query.order_by)
        if connection.vendor != "postgresql":
            return page.filter(pk__in=ids)
        # `id IN (subquery)` would become a semi-join, joined after the written joins again;
        # `id = ANY(ARRAY(subquery))` is computed once first and looked up in the primary key.
        try:
            sql, params = ids.query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing (no role in charge of any case)
            return page.none()
        table = self.qs.model._meta.db_table
        return page.extra(where=[f'"{table}"."id" = ANY(ARRAY({sql}))'], params=params)  # noqa: S610 (ORM-built SQL, its params apart)


@dataclass
class ListFacets:
    """What a case list's filters offer (the subjects, submission windows and kinds of work among
    its cases) and how many cases its current filters keep."""

    count: int
    subjects: list
    windows: list
    kinds: list[tuple[str, str]]


def list_facets(qs: QuerySet[ReviewCase], filters: CaseFilters) -> ListFacets:
    """One grouped query over the list's cases instead of a count and one query per filter: a row
    per (subject, window, record kind) present, with the number of cases the filters keep."""
    from django.utils.translation import gettext as _

    from accounts.models import Subject
    from submissions.models import RecordKind, SubmissionWindow

    kept = filters.q()
    # Grouped on the three ids only (a few hundred groups, hashed), the names read as aggregates.
    rows = (
        qs.order_by()
        .values("lecture__subject_id", "window_id", "record__kind_id")
        .annotate(
            n=Count("pk", filter=kept) if kept else Count("pk"),
            lectures=Count("lecture_id"),
            lecture__subject__name=Min("lecture__subject__name"),
            lecture__subject__order=Min("lecture__subject__order"),
            window__name=Min("window__name"),
            window__opens_on=Min("window__opens_on"),
            record__kind__code=Min("record__kind__code"),
            record__kind__name=Min("record__kind__name"),
            record__kind__order=Min("record__kind__order"),
        )
    )
    count, has_lecture = 0, False
    subjects, windows, kinds = {}, {}, {}
    for row in rows:
        count += row["n"]
        has_lecture = has_lecture or row["lectures"] > 0
        if row["lecture__subject_id"] is not None:
            subjects[row["lecture__subject_id"]] = Subject(
                pk=row["lecture__subject_id"],
                name=row["lecture__subject__name"],
                order=row["lecture__subject__order"],
            )
        if row["window_id"] is not None:
            windows[row["window_id"]] = SubmissionWindow(
                pk=row["window_id"], name=row["window__name"], opens_on=row["window__opens_on"]
            )
        if row["record__kind_id"] is not None:
            kinds[row["record__kind_id"]] = RecordKind(
                pk=row["record__kind_id"],
                code=row["record__kind__code"],
                name=row["record__kind__name"],
                order=row["record__kind__order"],
            )
    return ListFacets(
        count=count,
        subjects=sorted(subjects.values(), key=lambda s: (s.order, s.name)),
        windows=sorted(windows.values(), key=lambda w: w.opens_on, reverse=True),
        kinds=[("lecture", _("Bài giảng điện tử"))] * has_lecture
        + [(k.code, k.name) for k in sorted(kinds.values(), key=lambda k: (k.order, k.pk))],
    )


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
