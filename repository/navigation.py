"""Menu entries and home-page cards of this app (see elearning/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from elearning.navigation import HomeCard, NavItem


def nav_items(user, scope):
    if scope.user_id is None:
        return []
    return [NavItem(_("Kho học liệu số"), "repository:library", order=40)]


def home_cards(user, scope):
    if not scope.roles & {"principal", "vice_principal"}:
        return []
    return [
        HomeCard(
            title=_("Thư viện của trường"),
            text=_("Bài giảng đã được phê duyệt của trường và độ phủ bài học theo môn, khối lớp."),
            url=reverse("repository:my_school_library"),
            tone="success",
            order=60,
        )
    ]
