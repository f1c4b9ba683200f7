"""Menu entries and home-page cards of this app (see elearning/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from elearning.navigation import HomeCard, NavItem

from . import selectors

TEACHER_ROLES = {"teacher", "department_head"}


def nav_items(user, scope):
    if scope.roles & TEACHER_ROLES:
        return [NavItem(_("Bài giảng của tôi"), "submissions:lecture_list", order=10)]
    return []


def home_cards(user, scope):
    if not scope.roles & TEACHER_ROLES:
        return []
    counts = selectors.home_counts(user)
    url = reverse("submissions:lecture_list")
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
