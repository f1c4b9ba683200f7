"""Menu entries and home-page cards of this app (see elearning/navigation.py)."""

from django.utils.translation import gettext as _

from elearning.navigation import NavItem

TEACHER_ROLES = {"teacher", "department_head"}


def nav_items(user, scope):
    if scope.roles & TEACHER_ROLES:
        return [NavItem(_("Bài giảng của tôi"), "lectures:list", order=10)]
    return []


def home_cards(user, scope):
    # The author's cards count lectures by where they are in their review: reviews/navigation.py.
    return []
