"""Menu entries and home-page cards of this app (see elearning/navigation.py)."""

from django.utils.translation import gettext as _

from elearning.navigation import NavItem

from .rules import can_manage_calendar

TEACHER_ROLES = {"teacher", "department_head"}


def nav_items(user, scope):
    items = []
    if scope.roles & TEACHER_ROLES:
        items.append(NavItem(_("Bài giảng của tôi"), "lectures:list", order=10))
    if can_manage_calendar(user):
        items.append(NavItem(_("Lịch nộp bài"), "calendar:index", order=70))
    return items


def home_cards(user, scope):
    # The author's cards count lectures by where they are in their review: reviews/navigation.py.
    return []
