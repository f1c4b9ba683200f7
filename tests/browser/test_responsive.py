"""Every page of every demo role fits a 390 px phone and a 1366 px laptop without the page
scrolling sideways (issue 12, item 4). One browser session walks the whole demo city."""

import re
from urllib.parse import urlsplit

import pytest

from .conftest import login, screenshot
from .test_review_journey import demo_city  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1366)
ANONYMOUS_PAGES = ["/login/", "/password/reset/", "/support/"]
# One detail page of each kind is enough: they share a template.
DETAIL_KINDS = {
    "lecture": re.compile(r"^/lectures/\d+/$"),
    "case": re.compile(r"^/reviews/cases/\d+/$"),
    "publication": re.compile(r"^/library/\d+/$"),
    "minutes": re.compile(r"^/reviews/minutes/\d+/$"),
    "user": re.compile(r"^/accounts/users/\d+/$"),
    "import": re.compile(r"^/accounts/import/\d+/$"),
    "coverage": re.compile(r"^/library/coverage/\d+/$"),
    "school-library": re.compile(r"^/library/school/\d+/$"),
}
# Links that download, change state or leave the HTML pages.
SKIP = re.compile(r"/(download|pdf|export|logout|content|preview|open|read-all|template)/|\.xlsx$|^/admin/")

# Pages kept as 390 px screenshots in test-artifacts/ for a person to look at.
LOOKED_AT = {
    ("demo.gv", ""),
    ("demo.gv", "/lectures"),
    ("demo.tt", "/reviews/cases"),
    ("demo.tt", "/reviews/queue"),
    ("anonymous", "/support"),
    ("demo.cvso", "/library"),
}

OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const doc = document.documentElement.scrollWidth;
  const hidden = [...document.querySelectorAll('main .state-badge')]
    .filter(b => b.getBoundingClientRect().right > width + 0.5)
    .map(b => `status "${b.innerText.trim()}" off-screen at ${Math.round(b.getBoundingClientRect().right)}`);
  if (doc <= width) return hidden.length ? {doc, offenders: hidden.slice(0, 3)} : null;
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 0.5 && r.width > 0) {
      // Only report the innermost offenders: skip an element whose child also overflows.
      const childOver = [...el.children].some(c => c.getBoundingClientRect().right > width + 0.5);
      if (!childOver) {
        const id = el.id ? '#' + el.id : '';
        const cls = el.className && typeof el.className === 'string'
          ? '.' + el.className.trim().split(/\\s+/).slice(0, 3).join('.') : '';
        offenders.push(`${el.tagName.toLowerCase()}${id}${cls} right=${Math.round(r.right)} `
          + `"${(el.innerText || '').trim().slice(0, 40).replace(/\\s+/g, ' ')}"`);
      }
    }
  }
  return {doc, offenders: offenders.slice(0, 5)};
}"""


def _links(page):
    hrefs = page.eval_on_selector_all(
        "#mainnav a[href], main a[href]",
        "els => els.map(a => a.getAttribute('href'))",
    )
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def _check(page, live_server, path, who, failures):
    # DOMContentLoaded comes after the stylesheets (the scripts at the end of <body> wait for
    # them), which is all the layout needs; images and frames are not waited for.
    response = page.goto(f"{live_server.url}{path}", wait_until="domcontentloaded")
    if response is not None and response.status >= 500:
        failures.append(f"{who} {path}: HTTP {response.status}")
    if response is None or response.status >= 400:
        return False
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        result = page.evaluate(OVERFLOW_JS)
        if result:
            failures.append(f"{who} {path} @{width}px: page {result['doc']}px wide; {result['offenders']}")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    if (who, path.split("?")[0].rstrip("0123456789/")) in LOOKED_AT:
        screenshot(page, f"390-{who}-{path.strip('/').replace('/', '-') or 'home'}")
    return True


def _extra_paths():
    """Detail pages the menu may not lead to in one step, and the approved list."""
    from accounts.models import User
    from repository.models import Publication
    from reviews.models import Minutes, ReviewCase
    from submissions.models import Lecture

    paths = ["/reports/approved/", "/reviews/notifications/", "/password/change/"]
    for model, prefix in (
        (Lecture, "/lectures/"),
        (ReviewCase, "/reviews/cases/"),
        (Publication, "/library/"),
        (Minutes, "/reviews/minutes/"),
    ):
        first = model.objects.order_by("pk").first()
        if first is not None:
            paths.append(f"{prefix}{first.pk}/")
    assert User.objects.filter(username="demo.gv").exists()
    return paths


def _one_user_per_role():
    """The first demo user of each distinct set of roles (panel chair and member count as roles)."""
    from accounts.demo import USERS
    from accounts.models import PanelMembership

    chosen: dict[tuple, str] = {}
    for demo in USERS:
        panels = PanelMembership.objects.filter(user__username=demo.username)
        signature = (
            tuple(sorted({str(role) for role, *_ in demo.roles})),
            panels.filter(is_chair=True).exists(),
            panels.filter(is_chair=False).exists(),
        )
        chosen.setdefault(signature, demo.username)
    return [*chosen.values(), "admin"]


def test_every_page_of_every_demo_role_fits_a_phone_and_a_laptop(demo_city, live_server, page):  # noqa: F811
    """No page of any demo role is wider than a 390 px or 1366 px viewport, and no status badge
    of a list is pushed out of sight at 390 px."""
    failures: list[str] = []
    # The lecture's own content (SCORM frames, PDF pages) sits in a box sized by the page; it is
    # not what this test measures, and loading it for every page would take minutes.
    page.route(re.compile(r"/library/(content|preview)/|/vendor/pdfjs/"), lambda route: route.abort())
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    # The check itself sees an overflow when there is one.
    page.goto(f"{live_server.url}/support/")
    page.evaluate(
        "() => { const d = document.createElement('div'); d.style.width = '900px';"
        " d.id = 'probe'; d.textContent = 'x'; document.querySelector('main').append(d); }"
    )
    assert "div#probe" in str(page.evaluate(OVERFLOW_JS))
    for path in ANONYMOUS_PAGES:
        assert _check(page, live_server, path, "anonymous", failures), path

    extra = _extra_paths()
    visited_total = 0
    users = _one_user_per_role()
    for username in users:
        page.context.clear_cookies()
        login(page, live_server, username)
        seen: set[str] = set()
        kinds_seen: set[str] = set()
        todo = ["/", *_links(page)]
        while todo:
            path = todo.pop(0)
            if path in seen:
                continue
            kind = next((k for k, rx in DETAIL_KINDS.items() if rx.match(path)), None)
            if kind in kinds_seen:
                continue
            seen.add(path)
            if not _check(page, live_server, path, username, failures):
                continue
            if kind:
                kinds_seen.add(kind)
                continue
            # Menu pages lead to one detail page of each kind (and to the pages a list links to).
            for link in _links(page):
                link_kind = next((k for k, rx in DETAIL_KINDS.items() if rx.match(link)), None)
                if link_kind and link_kind not in kinds_seen and link not in todo:
                    todo.append(link)
        for path in extra:
            kind = next((k for k, rx in DETAIL_KINDS.items() if rx.match(path)), None)
            if path not in seen and (kind is None or kind not in kinds_seen):
                seen.add(path)
                _check(page, live_server, path, username, failures)
        visited_total += len(seen)
    assert len(users) >= 10 and visited_total > 60, (users, visited_total)
    assert not failures, "\n".join(failures)
