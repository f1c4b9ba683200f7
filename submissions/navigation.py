"""Menu entries and home-page cards of this app (see elearning/navigation.py)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from elearning.navigation import ADMIN, HomeCard, NavItem

from .models import SubmissionWindow
from .rules import can_manage_calendar, window_listed_q

TEACHER_ROLES = {"teacher", "department_head"}


def nav_items(user, scope):
    items = []
    if scope.roles & TEACHER_ROLES:
        items.append(NavItem(_("Bài giảng của tôi"), "lectures:list", order=10))
    if can_manage_calendar(user):
        items.append(NavItem(_("Lịch nộp bài"), "calendar:index", order=70, group=ADMIN))
    return items


def home_cards(user, scope):
    # The author's cards count lectures by where they are in their review: reviews/navigation.py.
    if not can_manage_calendar(user):
        return []
    today = timezone.localdate()
    listed = SubmissionWindow.objects.filter(window_listed_q(user))
    current = listed.filter(opens_on__lte=today, closes_on__gte=today).order_by("closes_on").first()
    upcoming = listed.filter(opens_on__gt=today).order_by("opens_on").first()
    if current is not None:
        text = _("Đang mở: %(name)s, đến hết ngày %(date)s.") % {
            "name": current.name,
            "date": current.closes_on.strftime("%d/%m/%Y"),
        }
    elif upcoming is not None:
        text = _("Đợt tiếp theo: %(name)s, mở từ %(date)s.") % {
            "name": upcoming.name,
            "date": upcoming.opens_on.strftime("%d/%m/%Y"),
        }
    else:
        text = _("Chưa có đợt nộp nào sắp tới: hãy thêm đợt nộp cho năm học.")
    return [
        HomeCard(
            title=_("Lịch nộp bài"),
            text=text,
            url=reverse("calendar:index"),
            tone="primary" if current or upcoming else "warning",
            order=60,
        )
    ]
