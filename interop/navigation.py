"""Menu entries of the interop app (see elearning/navigation.py): the LMS registrations page for
the officers who manage them (the city's leaders, a district's officers)."""

from django.utils.translation import gettext as _

from elearning.navigation import ADMIN, NavItem


def nav_items(user, scope):
    if scope.everything or scope.officer_of:
        return [NavItem(_("Kết nối LMS (LTI)"), "interop:lti_platforms", order=86, group=ADMIN)]
    return []


def home_cards(user, scope):
    return []
