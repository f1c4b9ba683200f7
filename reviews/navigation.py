"""Menu entries and home-page cards of the review app (see elearning/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from elearning.navigation import HomeCard, NavItem

from . import selectors
from .rules import review_roles


def nav_items(user, scope):
    r = review_roles(user)
    items = []
    if r.head_of or r.leads or r.chairs:
        items.append(NavItem(_("Chờ thẩm định"), "reviews:queue", order=20))
    if r.leads or r.cluster_head_of or r.officer_of or scope.everything or scope.subject_ids:
        items.append(NavItem(_("Thẩm định trong đơn vị"), "reviews:school_cases", order=25))
    if r.member_of:
        items.append(NavItem(_("Được phân công"), "reviews:assigned", order=30))
    return items


def home_cards(user, scope):
    r = review_roles(user)
    counts = selectors.home_counts(user)
    cards = []
    if r.head_of or r.leads or r.chairs:
        cards.append(
            HomeCard(
                title=_("Bài giảng chờ bạn thẩm định"),
                text=_("Thẩm định, phê duyệt hoặc yêu cầu chỉnh sửa và lập biên bản."),
                url=reverse("reviews:queue"),
                count=counts["waiting"],
                tone="primary",
                order=10,
            )
        )
    if counts["overdue"]:
        cards.append(
            HomeCard(
                title=_("Quá hạn thẩm định"),
                text=_("Những bài giảng đã quá hạn thẩm định mà bạn có thể quyết định."),
                url=reverse("reviews:queue") + "?state=overdue",
                count=counts["overdue"],
                tone="danger",
                order=11,
            )
        )
    if r.member_of:
        cards.append(
            HomeCard(
                title=_("Bài giảng được phân công đánh giá"),
                text=_("Chấm điểm theo tiêu chí, nhận xét và đề xuất cho chủ tịch hội đồng."),
                url=reverse("reviews:assigned"),
                count=counts["assigned"],
                tone="warning" if counts["assigned"] else "secondary",
                order=12,
            )
        )
    if counts["nominatable"]:
        cards.append(
            HomeCard(
                title=_("Có thể đề cử lên cấp trên"),
                text=_("Bài giảng đã được phê duyệt, chờ đề cử lên hội đồng bộ môn cấp trên."),
                url=reverse("reviews:school_cases"),
                count=counts["nominatable"],
                tone="success",
                order=13,
            )
        )
    if counts["unread"]:
        cards.append(
            HomeCard(
                title=_("Thông báo chưa đọc"),
                text=_("Kết quả thẩm định, phân công và nhắc hạn."),
                url=reverse("reviews:notification_list"),
                count=counts["unread"],
                tone="info",
                order=14,
            )
        )
    return cards
