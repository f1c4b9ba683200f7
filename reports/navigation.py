"""Menu entries, home-page cards and the home page's dashboard summary of the reports app
(see elearning/navigation.py)."""

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from elearning.navigation import REPORTS, HomeCard, HomeSummary, NavItem

from .rules import can_import_catalogue

INSPECTING_ROLES = {"principal", "vice_principal", "cluster_head", "district_officer"}


def _inspects(scope) -> bool:
    """Whether some unit's list is the user's to inspect (the same reach as reports.rules)."""
    return scope.everything or bool(scope.subject_ids) or bool(scope.roles & INSPECTING_ROLES)


def _reports(scope) -> bool:
    """Whether semester reports are the user's to write or read (reports.rules)."""
    return scope.everything or bool(scope.leads) or bool(scope.officer_of)


def nav_items(user, scope):
    items = []
    if _inspects(scope):
        items.append(NavItem(_("Bảng số liệu"), "reports:dashboard", order=44, group=REPORTS))
        items.append(NavItem(_("Danh sách phê duyệt"), "reports:approved_list", order=45, group=REPORTS))
    if _reports(scope):
        items.append(NavItem(_("Báo cáo học kì"), "reports:semester_list", order=47, group=REPORTS))
    return items


def _records_card(user, scope):
    from submissions.record_selectors import current_year

    from .compliance import compliance_summary

    totals = compliance_summary(user, current_year())
    if totals is None:
        return []
    return [
        HomeCard(
            title=_("Hồ sơ chuyên môn"),
            text=_(
                "Kế hoạch: %(on_time)d đúng hạn, %(late)d muộn, %(missing)d chưa nộp. "
                "Kế hoạch bài dạy: %(l_on_time)d duyệt trước ngày dạy, %(l_late)d duyệt muộn."
            )
            % {
                "on_time": totals.plans_on_time,
                "late": totals.plans_late,
                "missing": totals.plans_missing,
                "l_on_time": totals.lessons_on_time,
                "l_late": totals.lessons_late,
            },
            url=reverse("reports:records_compliance"),
            count=totals.plans_missing,
            tone="warning" if totals.plans_missing else "success",
            order=56,
        )
    ]


def home_cards(user, scope):
    cards = _records_card(user, scope)
    if not _inspects(scope):
        return cards
    cards = cards + [
        HomeCard(
            title=_("Danh sách bài giảng được phê duyệt"),
            text=_(
                "Lập danh sách theo đơn vị, năm học, học kì hoặc đợt nộp; tải về Excel hoặc PDF đúng thể thức văn bản."
            ),
            url=reverse("reports:approved_list"),
            tone="success",
            order=55,
        )
    ]
    if can_import_catalogue(user):
        cards.append(
            HomeCard(
                title=_("Danh mục bài học"),
                text=_(
                    "Nhập danh mục bài học theo môn, khối và bộ sách để tính mức độ bao phủ chương trình."
                ),
                url=reverse("reports:catalogue"),
                tone="secondary",
                order=57,
            )
        )
    return cards


def home_summaries(user, scope):
    """The figures of the user's own unit (the dashboard's, from its cache) and where to act."""
    if not _inspects(scope):
        return []
    from . import selectors
    from .dashboard import dashboard_scope, figures_of

    dscope = dashboard_scope(user, selectors.default_unit(user))
    if dscope is None:
        return []
    tables = figures_of(dscope).tables
    url = reverse("reports:dashboard_unit", args=[dscope.unit.pk])
    submitted = sum(r[1] for r in tables["by_school"].rows)
    approved = sum(r[2] for r in tables["by_school"].rows)
    in_review = sum(r[1] for r in tables["cases_by_level"].rows)
    overdue = sum(r[1] for r in tables["overdue_by_unit"].rows)
    silent = len({r[0] for r in tables["silent_schools"].rows})
    covered = sum(r[2] for r in tables["coverage"].rows)
    total = sum(r[3] for r in tables["coverage"].rows)
    coverage = f"{number_format(100 * covered / total, decimal_pos=1)}%" if total else "—"
    figures = [
        (_("Bài giảng đã nộp"), submitted, url, "body"),
        (_("Được phê duyệt"), approved, url, "success"),
        (_("Đang thẩm định"), in_review, url + "#table-cases_by_level", "primary"),
        (_("Quá hạn thẩm định"), overdue, url + "#table-overdue_by_unit", "danger" if overdue else "body"),
        (
            _("Trường chưa nộp trong đợt đang mở"),
            silent,
            url + "#table-silent_schools",
            "warning-emphasis" if silent else "body",
        ),
        (_("Bao phủ chương trình"), coverage, url + "#table-coverage", "body"),
    ]
    if dscope.unit.kind == "school":
        figures.pop(4)
    links = [
        (_("Xem bảng số liệu"), url),
        (
            _("Danh sách bài giảng được phê duyệt"),
            reverse("reports:approved_list") + f"?unit={dscope.unit.pk}",
        ),
        (_("Tải số liệu (Excel)"), reverse("reports:dashboard_export", args=[dscope.unit.pk])),
        (_("Hồ sơ thẩm định trong đơn vị"), reverse("reviews:school_cases")),
    ]
    title = _("Tình hình học liệu số: %(unit)s") % {"unit": dscope.unit.name}
    note = _("Chỉ tính môn bạn phụ trách.") if dscope.subject_ids else ""
    return [HomeSummary(title=title, figures=tuple(figures), links=tuple(links), note=note)]
