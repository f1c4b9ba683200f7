"""Menu entries and home-page cards of the review app (see elearning/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from elearning.navigation import PERSONAL, RECORDS, REVIEWS, HomeCard, NavItem

from . import lifecycle, selectors
from .rules import review_roles

TEACHER_ROLES = {"teacher", "department_head"}


def nav_items(user, scope):
    r = review_roles(user)
    items = []
    # The district office and the city's leaders acknowledge school plans in the same queue.
    if r.head_of or r.leads or r.chairs or r.officer_of or "city_leader" in scope.roles:
        items.append(NavItem(_("Chờ thẩm định"), "reviews:queue", order=20, group=REVIEWS))
    if r.head_of or r.leads or r.officer_of or scope.subject_ids or scope.everything:
        items.append(NavItem(_("Kiểm tra hồ sơ"), "records:school", order=26, group=RECORDS))
    if r.leads or r.cluster_head_of or r.officer_of or scope.everything or scope.subject_ids:
        items.append(NavItem(_("Thẩm định trong đơn vị"), "reviews:school_cases", order=25, group=REVIEWS))
    if r.member_of:
        items.append(NavItem(_("Được phân công"), "reviews:assigned", order=30, group=REVIEWS))
    # Anyone signed in may check whether a PDF is an approved document, unchanged.
    items.append(NavItem(_("Kiểm tra văn bản"), "reviews:document_verify", order=95, group=PERSONAL))
    return items


def home_cards(user, scope):
    r = review_roles(user)
    counts = selectors.home_counts(user)
    cards = _author_cards(user, scope)
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


def _author_cards(user, scope):
    """Drafts, lectures returned for changes and lectures in review of a teacher."""
    if not scope.roles & TEACHER_ROLES:
        return []
    counts = lifecycle.author_counts(user)
    url = reverse("lectures:list")
    cards = []
    if counts["returned"]:
        cards.append(
            HomeCard(
                title=_("Bài giảng cần chỉnh sửa"),
                text=_(
                    "Tổ chuyên môn/hội đồng đã trả lại; đọc yêu cầu, sửa và nộp lại (không cần chờ đợt nộp)."
                ),
                url=url,
                count=counts["returned"],
                tone="warning",
                order=10,
            )
        )
    cards.append(
        HomeCard(
            title=_("Bài giảng nháp"),
            text=_("Bản nháp chưa nộp: tải tệp lên, chờ kiểm tra rồi nộp trong đợt nộp."),
            url=url,
            count=counts["drafts"],
            tone="primary",
            order=11,
        )
    )
    if counts["in_review"]:
        cards.append(
            HomeCard(
                title=_("Bài giảng đang thẩm định"),
                text=_("Đang chờ tổ trưởng/hội đồng quyết định; bạn có thể rút trước khi có quyết định."),
                url=url,
                count=counts["in_review"],
                tone="info",
                order=12,
            )
        )
    return cards
