"""Menu entries and home-page cards of the reports app (see elearning/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from elearning.navigation import HomeCard, NavItem

INSPECTING_ROLES = {"principal", "vice_principal", "cluster_head", "district_officer"}


def _inspects(scope) -> bool:
    """Whether some unit's list is the user's to inspect (the same reach as reports.rules)."""
    return scope.everything or bool(scope.subject_ids) or bool(scope.roles & INSPECTING_ROLES)


def nav_items(user, scope):
    items = []
    if _inspects(scope):
        items.append(NavItem(_("Danh sách phê duyệt"), "reports:approved_list", order=45))
    # The records compliance page is reached from its home card and the inspection list (the
    # menu of an office already holds nine entries).
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
    return cards + [
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
