"""Menu entries and home-page cards of the accounts app (see elearning/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from elearning.navigation import ADMIN, HomeCard, NavItem

from .models import User
from .rules import user_visible_q


def nav_items(user, scope):
    items = []
    if scope.everything or scope.unit_paths or scope.admin_paths or scope.subject_ids:
        items.append(NavItem(_("Nhân sự"), "accounts:user_list", order=80, group=ADMIN))
    if scope.everything or scope.admin_paths:
        items.append(NavItem(_("Nhập tài khoản"), "accounts:import_start", order=85, group=ADMIN))
    return items


def home_cards(user, scope):
    cards = []
    if scope.everything or scope.admin_paths:
        inactive = User.objects.filter(user_visible_q(user), is_active=False).count()
        cards.append(
            HomeCard(
                title=_("Quản trị tài khoản"),
                text=_(
                    "Nhập danh sách đơn vị và tài khoản từ tệp Excel/CSV; khoá, mở khoá, đặt lại mật khẩu."
                ),
                url=reverse("accounts:user_list"),
                count=inactive or None,
                tone="secondary",
                order=90,
            )
        )
    return cards
