"""The top navigation and the home page's cards, collected from each app's `navigation.py`.

Each app owns what it shows at the top level: `nav_items(user, scope)` returns the menu
entries the user can use, `home_cards(user, scope)` what is waiting for them. A template
only draws what these return.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int = 50

    @property
    def url(self) -> str:
        return reverse(self.url_name)


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
    from reports import navigation as reports_nav
    from repository import navigation as repository_nav
    from reviews import navigation as reviews_nav
    from submissions import navigation as submissions_nav

    return [submissions_nav, reviews_nav, repository_nav, reports_nav, accounts_nav]


def nav_items(user, scope) -> list[NavItem]:
    items = [item for module in _modules() for item in module.nav_items(user, scope)]
    # The help centre is everyone's, last in the menu.
    items.append(NavItem(gettext("Hỗ trợ"), "support", order=99))
    return sorted(items, key=lambda i: i.order)


def home_cards(user, scope) -> list[HomeCard]:
    cards = [card for module in _modules() for card in module.home_cards(user, scope)]
    return sorted(cards, key=lambda c: c.order)


def home_summaries(user, scope) -> list[HomeSummary]:
    return [
        s for module in _modules() for s in getattr(module, "home_summaries", lambda u, s: [])(user, scope)
    ]
