"""Menu entries and home-page cards of this app (see elearning/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from elearning.navigation import HomeCard, NavItem

TEACHER_ROLES = {"teacher", "department_head"}


def _record_submitter_roles() -> set[str]:
    from .models import RecordKind

    return set(RecordKind.objects.filter(is_active=True).values_list("submitter_role", flat=True))


def nav_items(user, scope):
    items = []
    if scope.roles & TEACHER_ROLES:
        items.append(NavItem(_("Bài giảng của tôi"), "lectures:list", order=10))
    # Professional records (seed 001): whoever submits some kind of record.
    if scope.roles & _record_submitter_roles():
        items.append(NavItem(_("Hồ sơ chuyên môn"), "records:mine", order=15))
    return items


def home_cards(user, scope):
    # The author's lecture cards count lectures by where they are in their review:
    # reviews/navigation.py. A record's summary lives on the record itself.
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
