"""The offline copy opened from the file system (file://) in Chromium with the network off: the
SCORM runtime initialises inside the SCO, results stay in localStorage, nothing is requested."""

import io
import zipfile

import pytest

from repository.offline import offline_zip
from submissions.models import LectureVersion
from tests.repository.factories import make_lecture, make_version, publish
from tests.repository.test_preview import OUTLINE, two_sco_zip

from .conftest import ARTIFACTS, screenshot

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="tron" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Đường tròn</title>
    <item identifier="bai" identifierref="r1"><title>Đường tròn</title></item>
  </organization></organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="bai/index.html"><file href="bai/index.html"/></resource>
  </resources>
</manifest>"""

SCO_12 = """<!doctype html><html><head><meta charset="utf-8"><title>Đường tròn</title></head><body>
<h1>Đường tròn</h1><p id="out"></p><script>
function findAPI(win) { var n = 0; while (!win.API && win.parent && win.parent !== win && n++ < 7) { win = win.parent; } return win.API; }
var api = findAPI(window);
var result = api ? api.LMSInitialize("") : "no API";
document.body.dataset.init = String(result);
document.body.dataset.status = api.LMSGetValue("cmi.core.lesson_status");
api.LMSSetValue("cmi.core.lesson_status", "completed");
api.LMSSetValue("cmi.core.score.raw", "9");
api.LMSCommit("");
document.getElementById("out").textContent = "LMSInitialize: " + result;
</script></body></html>"""


def _scorm12_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_12)
        archive.writestr("bai/index.html", SCO_12)
    return buffer.getvalue()


def _unpacked(pub, tmp_path):
    buffer = io.BytesIO()
    offline_zip(pub, buffer)
    folder = tmp_path / "ban-ngoai-tuyen"
    zipfile.ZipFile(buffer).extractall(folder)
    return (folder / "index.html").as_uri()


@pytest.fixture
def offline_page(browser):
    """A page in a context with the network switched off; every request not to file:// is kept."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800}, offline=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.requests = []
    context.on("request", lambda request: page.requests.append(request.url))
    yield page
    context.close()


def test_scorm_12_copy_initialises_offline_and_keeps_results(offline_page, demo, tmp_path):
    """Double-clicking index.html plays the SCO: LMSInitialize returns "true", the committed
    status and score are kept in localStorage and shown in the table again after a reload."""
    page = offline_page
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Đường tròn")
    version = make_version(lecture, kind="scorm12", zip_bytes=_scorm12_zip())
    pub = publish(version, demo.unit("THCS-LQD-TOAN"))
    page.goto(_unpacked(pub, tmp_path))
    sco = page.frame_locator("iframe.frame")
    sco.locator("body[data-init]").wait_for(state="attached")
    assert sco.locator("body").get_attribute("data-init") == "true"
    assert sco.locator("#out").inner_text() == "LMSInitialize: true"
    page.locator("#runtime-status[data-event=commit]").wait_for()
    assert "Đã lưu kết quả trên máy này" in page.locator("#runtime-status").inner_text()
    assert "không được tính vào thống kê" in page.content()
    screenshot(page, "offline-copy-scorm12")
    stored = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('hoclieu:'))")
    assert len(stored) == 1
    kept = page.evaluate(f"JSON.parse(localStorage.getItem({stored[0]!r}))")
    assert kept["state"]["core"]["lesson_status"] == "completed"
    assert kept["state"]["core"]["score"]["raw"] == "9"
    # Launched again, the SCO resumes with what it committed.
    page.reload()
    sco.locator("body[data-init]").wait_for(state="attached")
    assert sco.locator("body").get_attribute("data-status") == "completed"
    assert [url for url in page.requests if not url.startswith("file://")] == []


def test_scorm_2004_copy_moves_between_scos_offline(offline_page, demo, tmp_path):
    """A two-SCO SCORM 2004 copy shows its table of contents; each SCO finds API_1484_11 and gets
    back its own location from localStorage."""
    page = offline_page
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Phân số – hai phần")
    version = make_version(lecture, kind="scorm2004", zip_bytes=two_sco_zip())
    LectureVersion.objects.filter(pk=version.pk).update(package_outline=OUTLINE, sco_count=2)
    pub = publish(LectureVersion.objects.get(pk=version.pk), demo.unit("THCS-LQD-TOAN"))
    page.goto(_unpacked(pub, tmp_path))
    toc = page.locator("#toc button")
    assert toc.count() == 2
    page.locator("#runtime-status[data-event=commit]").wait_for()
    toc.nth(1).click()
    page.frame_locator("iframe.frame").get_by_role("heading", name="Phan 2").wait_for()
    page.locator("#runtime-status[data-event=commit]").wait_for()
    toc.nth(0).click()
    sco = page.frame_locator("iframe.frame")
    sco.get_by_role("heading", name="Phan 1").wait_for()
    sco.locator("body[data-location]").wait_for(state="attached")
    assert sco.locator("body").get_attribute("data-location") == "Phan 1"
    assert page.evaluate("typeof document.querySelector('iframe.frame').contentWindow") == "object"
    screenshot(page, "offline-copy-scorm2004")
    assert [url for url in page.requests if not url.startswith("file://")] == []
    assert ARTIFACTS.exists()


@pytest.mark.django_db(transaction=True)
def test_teacher_downloads_the_copy_from_the_library_page(live_server, page, demo):
    """The library page shows the offline button with the size; the download is the zip."""
    from reviews.models import Criterion, Rubric
    from reviews.rubrics import rubric_ensure_default

    from .conftest import login

    rubric_ensure_default(Rubric, Criterion)  # the city's rubric (a flushed database lost it)
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Đường tròn")
    pub = publish(make_version(lecture, kind="scorm12", zip_bytes=_scorm12_zip()), demo.unit("THCS-LQD-TOAN"))
    login(page, live_server, "demo.gv.van")
    page.goto(f"{live_server.url}{pub.get_absolute_url()}")
    card = page.get_by_test_id("offline")
    assert "khoảng" in card.get_by_test_id("offline-size").inner_text()
    card.scroll_into_view_if_needed()
    screenshot(page, "offline-library-detail")
    with page.expect_download() as info:
        card.get_by_test_id("offline-download").click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as archive:
        assert "index.html" in archive.namelist()
