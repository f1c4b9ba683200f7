"""The public catalogue inside a portal page (an iframe from another origin), the officer's
snippet page, and the author's licence choice, in Chromium."""

import pytest

from submissions.models import LectureVersion
from tests.repository.factories import make_lecture, make_version, publish

from .conftest import login, screenshot


@pytest.mark.django_db(transaction=True)
def test_the_portal_frames_the_catalogue_and_an_officer_copies_the_snippet(live_server, page, demo, settings):
    """A portal page frames /catalogue/?embed=1 and shows the open lecture; the snippet page
    gives the iframe code; the author's page offers the licence choice."""
    from reviews.models import Criterion, Rubric
    from reviews.rubrics import rubric_ensure_default

    rubric_ensure_default(Rubric, Criterion)  # the city's rubric (a flushed database lost it)
    settings.PUBLIC_CATALOGUE = True
    settings.SITE_URL = live_server.url
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Hình tam giác đều")
    version = make_version(lecture, kind="pdf")
    LectureVersion.objects.filter(pk=version.pk).update(licence="cc_by_nc_sa")
    publish(LectureVersion.objects.get(pk=version.pk), demo.unit("SGD"))

    page.goto(f"{live_server.url}/catalogue/")
    page.get_by_test_id("catalogue-item").first.wait_for()
    screenshot(page, "catalogue-list")
    page.get_by_role("link", name="Hình tam giác đều").click()
    page.get_by_test_id("catalogue-download").wait_for()
    page.locator("[data-testid=preview-pdf][data-state=ready]").wait_for()  # drawn by pdf.js
    screenshot(page, "catalogue-detail-open")

    # A portal on another origin (about:blank here) frames the catalogue.
    page.set_content(
        f'<h1>Cổng thông tin Sở</h1><iframe id="c" src="{live_server.url}/catalogue/?embed=1" width="900" height="600"></iframe>'
    )
    framed = page.frame_locator("#c")
    framed.get_by_test_id("catalogue-item").first.wait_for()
    assert "Hình tam giác đều" in framed.locator("body").inner_text()
    screenshot(page, "catalogue-framed-in-portal")

    login(page, live_server, "demo.ldso")
    page.goto(f"{live_server.url}/catalogue/embed/")
    snippet = page.get_by_test_id("embed-snippet").input_value()
    assert snippet.startswith(f'<iframe src="{live_server.url}/catalogue/?embed=1"')
    screenshot(page, "catalogue-embed-snippet")

    draft = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Góc nội tiếp")
    page.context.clear_cookies()
    login(page, live_server, "demo.gv")
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    page.select_option("#licence", "cc_by_nc_sa")
    page.get_by_role("button", name="Lưu giấy phép").click()
    page.get_by_text("Đã chọn giấy phép: CC BY-NC-SA 4.0").wait_for()
    screenshot(page, "lecture-licence-choice")
