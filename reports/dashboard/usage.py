"""Usage of the scope's published lectures: views and downloads per month (from the per-user,
per-day rows), per school and district, and the most viewed lectures (from the counters kept on
each publication)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from accounts.models import Unit
from repository.models import Publication, UsageDay

from .scope import DashboardScope, Table, schools_of

MONTHS = 12
TOP = 10


def usage_by_month(dscope: DashboardScope, today: datetime.date) -> Table:
    since = (today.replace(day=1) - datetime.timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for month, kind, n in (
        UsageDay.objects.filter(dscope.lectures_q("publication__lecture__"), day__gte=since)
        .annotate(month=TruncMonth("day"))
        .values_list("month", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts.setdefault((month.year, month.month), {})[kind] = n
    rows = []
    month = since
    while month <= today:
        c = counts.get((month.year, month.month), {})
        rows.append(
            [
                f"{month.month:02d}/{month.year}",
                c.get(UsageDay.Kind.VIEW, 0),
                c.get(UsageDay.Kind.DOWNLOAD, 0),
            ]
        )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return Table(
        "usage_by_month",
        _("Lượt xem và lượt tải theo tháng (12 tháng gần nhất)"),
        [_("Tháng"), _("Lượt xem"), _("Lượt tải")],
        rows,
    )


def _totals_by_school(dscope: DashboardScope) -> dict[int, tuple[int, int]]:
    return {
        school_id: (views or 0, downloads or 0)
        for school_id, views, downloads in Publication.objects.filter(dscope.lectures_q("lecture__"))
        .values_list("lecture__school_id")
        .annotate(v=Sum("view_count"), d=Sum("download_count"))
        .order_by()
    }


def usage_by_unit(dscope: DashboardScope) -> list[Table]:
    totals = _totals_by_school(dscope)
    schools = list(schools_of(dscope).only("pk", "name", "path"))
    tables = [
        Table(
            "usage_by_school",
            _("Lượt xem và lượt tải theo trường"),
            [_("Trường"), _("Lượt xem"), _("Lượt tải")],
            [[s.name, *totals.get(s.pk, (0, 0))] for s in schools],
        )
    ]
    if dscope.unit.kind == Unit.Kind.CITY:
        rows = []
        for district in Unit.objects.filter(
            kind=Unit.Kind.DISTRICT, path__startswith=dscope.unit.path
        ).order_by("path"):
            inside = [totals.get(s.pk, (0, 0)) for s in schools if s.path.startswith(district.path)]
            rows.append([district.name, sum(v for v, _d in inside), sum(d for _v, d in inside)])
        tables.append(
            Table(
                "usage_by_district",
                _("Lượt xem và lượt tải theo quận/huyện"),
                [_("Quận/huyện"), _("Lượt xem"), _("Lượt tải")],
                rows,
            )
        )
    return tables


def top_lectures(dscope: DashboardScope) -> Table:
    rows = [
        [title, school, views or 0, downloads or 0]
        for title, school, views, downloads in Publication.objects.filter(dscope.lectures_q("lecture__"))
        .values_list("lecture_id")
        .annotate(v=Sum("view_count"), d=Sum("download_count"))
        .filter(v__gt=0)
        .order_by("-v", "-d", "lecture_id")
        .values_list("lecture__title", "lecture__school__name", "v", "d")[:TOP]
    ]
    return Table(
        "top_lectures",
        _("Bài giảng được xem nhiều nhất"),
        [_("Bài giảng"), _("Trường"), _("Lượt xem"), _("Lượt tải")],
        rows,
    )
