"""Menu entries and home-page cards of this app (see elearning/navigation.py)."""

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from elearning.navigation import ADMIN, RECORDS, HomeCard, NavItem

from .models import SubmissionWindow
from .rules import can_manage_calendar, window_listed_q

TEACHER_ROLES = {"teacher", "department_head"}


def _record_submitter_roles() -> set[str]:
    """The roles that submit some kind of record: read on every page for the menu, so kept in the
    cache (the catalogue of kinds changes rarely; a kind's save or delete clears it)."""
    from .models import RecordKind

    roles = cache.get(RecordKind.SUBMITTER_ROLES_CACHE_KEY)
    if roles is None:
        roles = set(RecordKind.objects.filter(is_active=True).values_list("submitter_role", flat=True))
        cache.set(RecordKind.SUBMITTER_ROLES_CACHE_KEY, roles, 600)
    return roles


def nav_items(user, scope):
    items = []
    if scope.roles & TEACHER_ROLES:
        items.append(NavItem(_("Bài giảng của tôi"), "lectures:list", order=10))
    if can_manage_calendar(user):
        items.append(NavItem(_("Lịch nộp bài"), "calendar:index", order=70, group=ADMIN))
    # Professional records (seed 001): whoever submits some kind of record.
    if scope.roles & _record_submitter_roles():
        items.append(NavItem(_("Hồ sơ chuyên môn"), "records:mine", order=15, group=RECORDS))
    return items


def home_cards(user, scope):
    # The author's lecture cards count lectures by where they are in their review:
    # reviews/navigation.py. A record's summary lives on the record itself.
    return _calendar_cards(user) + _record_cards(user, scope)


def _calendar_cards(user):
    if not can_manage_calendar(user):
        return []
    today = timezone.localdate()
    # The window open today that closes first and the next to open, from one read of the windows
    # not yet closed (a year's calendar: a few rows).
    current = upcoming = None
    for window in SubmissionWindow.objects.filter(window_listed_q(user), closes_on__gte=today).order_by("pk"):
        if window.opens_on <= today:
            if current is None or window.closes_on < current.closes_on:
                current = window
        elif upcoming is None or window.opens_on < upcoming.opens_on:
            upcoming = window
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


def _record_cards(user, scope):
    from .record_selectors import record_counts

    if not scope.roles & _record_submitter_roles():
        return []
    counts = record_counts(user)
    if not counts["returned"]:
        return []
    return [
        HomeCard(
            title=_("Hồ sơ chuyên môn cần chỉnh sửa"),
            text=_("Người phê duyệt đã trả lại kèm góp ý; sửa và nộp lại trên trang hồ sơ."),
            url=reverse("records:mine"),
            count=counts["returned"],
            tone="warning",
            order=9,
        )
    ]
