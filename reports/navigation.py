"""Menu entries and home-page cards of the reports app (see elearning/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from elearning.navigation import HomeCard, NavItem

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
        items.append(NavItem(_("Danh sách phê duyệt"), "reports:approved_list", order=45))
    if _reports(scope):
        items.append(NavItem(_("Báo cáo học kì"), "reports:semester_list", order=47))
    return items


def home_cards(user, scope):
    if not _inspects(scope):
        return []
    return [
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
