"""The help centre's screenshots, taken of the real pages of the demo city (issue 12, item 5).

`make guide-screenshots` (GUIDE_SCREENSHOTS=1) retakes them into static/guide/; without it the
test is skipped, and tests/test_support.py checks that every screenshot a guide shows exists."""

import io
import os
from pathlib import Path

import pytest

from .conftest import login
from .test_review_journey import demo_city  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("GUIDE_SCREENSHOTS"), reason="set GUIDE_SCREENSHOTS=1 to retake"),
]

GUIDE_DIR = Path(__file__).resolve().parents[2] / "static" / "guide"
VIEWPORT = {"width": 1000, "height": 625}


def _first_row(pattern):
    """Opens the first row of the list on the page (a lecture, a case)."""

    def go(page):
        page.locator(f"main table a[href^='{pattern}']").first.click()
        page.wait_for_load_state("networkidle")

    return go


# anchor → (demo user, path, then what to click there, if anything)
SHOTS = {
    "giao-vien-trang-chu": ("demo.gv", "/", None),
    "giao-vien-bai-giang-cua-toi": ("demo.gv", "/lectures/", None),
    "giao-vien-trang-bai-giang": ("demo.gv", "/lectures/", _first_row("/lectures/")),
    "to-truong-cho-tham-dinh": ("demo.tt", "/reviews/queue/", None),
    "to-truong-ho-so": ("demo.tt", "/reviews/queue/", _first_row("/reviews/cases/")),
    "hieu-truong-trang-chu": ("demo.ht", "/", None),
    "hieu-truong-tham-dinh-trong-don-vi": ("demo.ht", "/reviews/school/", None),
    "hoi-dong-duoc-phan-cong": ("demo.hdq.tv1", "/reviews/assigned/", None),
    "quan-tri-truong-nhap-tai-khoan": ("demo.qtt", "/accounts/import/", None),
    "quan-tri-truong-nhan-su": ("demo.qtt", "/accounts/users/", None),
    "phong-gddt-tham-dinh-trong-don-vi": ("demo.phong", "/reviews/school/", None),
    "so-gddt-kho-hoc-lieu": ("demo.cvso", "/library/", None),
    "so-gddt-bai-giang-da-duyet": ("demo.cvso", "/reports/approved/", None),
}


def _save_small_png(data: bytes, path: Path) -> None:
    """A 256-colour palette PNG: an interface screenshot loses nothing visible and shrinks ~4×."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )


def test_guide_screenshots_are_retaken_from_the_demo_city(demo_city, live_server, page):  # noqa: F811
    """Every screenshot a guide shows is retaken from the demo city at 1000 px wide."""
    from elearning.support import guides

    wanted = {shot.anchor for guide in guides() for shot in guide.screenshots}
    assert wanted == set(SHOTS), "elearning/support.py and SHOTS list different screenshots"
    GUIDE_DIR.mkdir(exist_ok=True)
    page.set_viewport_size(VIEWPORT)
    current = None
    for anchor, (username, path, then) in SHOTS.items():
        if username != current:
            page.context.clear_cookies()
            login(page, live_server, username)
            current = username
        page.goto(f"{live_server.url}{path}")
        if then:
            then(page)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)  # htmx fragments and the preview settle
        _save_small_png(page.screenshot(), GUIDE_DIR / f"{anchor}.png")
    total = sum(p.stat().st_size for p in GUIDE_DIR.glob("*.png"))
    assert total < 1_500_000, f"guide screenshots weigh {total} bytes"
