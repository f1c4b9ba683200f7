"""The top navigation and the home page's cards, collected from each app's `navigation.py`.

Each app owns what it shows at the top level: `nav_items(user, scope)` returns the menu
entries the user can use, `home_cards(user, scope)` what is waiting for them. A template
only draws what these return.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int = 50
    # Entries of one group share a drop-down in the top menu ("Báo cáo", "Quản trị"), so that an
    # officer's dozen entries fit on one line at 1366 px; an entry alone in its group stands alone.
    group: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: tuple

    @property
    def order(self) -> int:
        return self.items[0].order


REPORTS = "reports"
ADMIN = "admin"
RECORDS = "records"
REVIEWS = "reviews"
# Tools used now and then (checking an approved document) sit in the user's own drop-down.
PERSONAL = "personal"
GROUP_LABELS = {
    REPORTS: gettext_lazy("Báo cáo"),
    ADMIN: gettext_lazy("Quản trị"),
    RECORDS: gettext_lazy("Hồ sơ chuyên môn"),
    REVIEWS: gettext_lazy("Thẩm định"),
}


@dataclass(frozen=True)
class HomeCard:
    title: str
    text: str
    url: str = ""
    count: int | None = None
    tone: str = "primary"  # bootstrap contextual colour: primary, warning, danger, success, secondary
    order: int = 50


@dataclass(frozen=True)
class HomeSummary:
    """A block of key figures at the top of the home page (an officer's or a leader's unit), with
    the pages to act on them."""

    title: str
    figures: tuple  # (label, value, url, tone) — tone as HomeCard's
    links: tuple  # (label, url)
    note: str = ""


def _modules():
    from accounts import navigation as accounts_nav
    from interop import navigation as interop_nav
    from reports import navigation as reports_nav
    from repository import navigation as repository_nav
    from reviews import navigation as reviews_nav
    from submissions import navigation as submissions_nav

    return [submissions_nav, reviews_nav, repository_nav, reports_nav, accounts_nav, interop_nav]


def nav_items(user, scope) -> list[NavItem]:
    items = [item for module in _modules() for item in module.nav_items(user, scope)]
    # The help centre is everyone's, last in the menu.
    items.append(NavItem(gettext("Hỗ trợ"), "support", order=99))
    return sorted(items, key=lambda i: i.order)


def menu(items: list[NavItem]) -> list:
    """The top menu as drawn: entries without a group, and a `NavGroup` (a drop-down) at the place
    of its first entry for each group of two or more."""
    groups: dict[str, list[NavItem]] = {}
    for item in items:
        if item.group:
            groups.setdefault(item.group, []).append(item)
    drawn, seen = [], set()
    for item in items:
        if item.group == PERSONAL:
            continue
        members = groups.get(item.group, [])
        if len(members) < 2:
            drawn.append(item)
        elif item.group not in seen:
            seen.add(item.group)
            drawn.append(NavGroup(GROUP_LABELS.get(item.group, item.group), tuple(members)))
    return drawn


def personal_items(items: list[NavItem]) -> list[NavItem]:
    """The entries drawn in the user's drop-down rather than in the top menu."""
    return [item for item in items if item.group == PERSONAL]


def home_cards(user, scope) -> list[HomeCard]:
    cards = [card for module in _modules() for card in module.home_cards(user, scope)]
    return sorted(cards, key=lambda c: c.order)


def home_summaries(user, scope) -> list[HomeSummary]:
    return [
        s for module in _modules() for s in getattr(module, "home_summaries", lambda u, s: [])(user, scope)
    ]
