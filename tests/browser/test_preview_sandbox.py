"""The preview frame in headless Chromium: hostile package contained, real SCORM packages played."""

import io
import json
import zipfile

import pytest

from repository.models import RuntimeRecord

from ..repository.factories import make_lecture, make_version, publish
from .conftest import login, screenshot

HOSTILE_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="hostile" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <organizations default="org"><organization identifier="org"><title>Hostile</title>
    <item identifier="i1" identifierref="r1"><title>Hostile</title></item></organization></organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html">
    <file href="index.html"/></resource></resources>
</manifest>"""

HOSTILE_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Hostile</title></head><body>
<pre id="out">running</pre>
<script>
(async function () {
  var r = {};
  try { r.cookie = document.cookie; } catch (e) { r.cookie = "threw:" + e.name; }
  try { r.top_document = String(window.top.document.title); } catch (e) { r.top_document = "threw:" + e.name; }
  try { r.app_page = String(window.parent.parent.document.body.innerHTML.length); } catch (e) { r.app_page = "threw:" + e.name; }
  try { r.top_cookie = window.top.document.cookie; } catch (e) { r.top_cookie = "threw:" + e.name; }
  try { r.parent_document = window.parent.document.location.href; } catch (e) { r.parent_document = "threw:" + e.name; }
  try { window.top.location.href = "/library/?hijacked=1"; r.top_nav = "no error"; } catch (e) { r.top_nav = "threw:" + e.name; }
  try { window.top.location = "https://example.org/"; r.top_nav2 = "no error"; } catch (e) { r.top_nav2 = "threw:" + e.name; }
  async function grab(url) {
    try {
      var resp = await fetch(url, { credentials: "include" });
      var text = await resp.text();
      return resp.status + ":" + (text.indexOf("data-testid=\\"logout\\"") >= 0 ? "SIGNED-IN" : "anonymous") + ":" + text.length;
    } catch (e) { return "threw:" + e.name; }
  }
  r.fetch_library = await grab(location.origin === "null" ? "/library/" : "/library/");
  r.fetch_home = await grab("/");
  try {
    var xhr = new XMLHttpRequest(); xhr.open("GET", "/library/", false); xhr.withCredentials = true; xhr.send();
    r.xhr = xhr.status + ":" + xhr.responseText.length;
  } catch (e) { r.xhr = "threw:" + e.name; }
  r.origin = String(self.origin);
  document.getElementById("out").textContent = JSON.stringify(r);
  document.title = "done";
})();
</script></body></html>"""


def hostile_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("imsmanifest.xml", HOSTILE_MANIFEST)
        archive.writestr("index.html", HOSTILE_PAGE)
    return buf.getvalue()


def _published(demo, kind, title, zip_bytes=None):
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title=title)
    version = make_version(lecture, kind=kind, zip_bytes=zip_bytes)
    return publish(version, demo.unit("THCS-LQD-TOAN"))


def _sco_frame(page):
    return page.frame_locator("[data-testid=preview-frame]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_hostile_package_cannot_reach_the_app(live_server, page, demo):
    """Script in a previewed package cannot read cookies, use the session, navigate or script the app."""
    pub = _published(demo, "scorm12", "Gói độc hại", zip_bytes=hostile_zip())
    login(page, live_server, "demo.ht")
    page.goto(f"{live_server.url}{pub.get_absolute_url()}")
    out = _sco_frame(page).locator("#out")
    out.filter(has_text="fetch_library").wait_for()
    result = json.loads(out.inner_text())
    screenshot(page, "preview-hostile")
    app_cookies = {c["name"] for c in page.context.cookies()}
    assert "sessionid" in app_cookies  # the user really is signed in
    assert "sessionid" not in result["cookie"] and "csrftoken" not in result["cookie"]
    assert result["cookie"].startswith("threw:")  # opaque origin: no cookie jar at all
    assert result["top_document"].startswith("threw:")
    assert result["app_page"].startswith("threw:")
    assert result["top_cookie"].startswith("threw:")
    # the SCO's parent is the runtime's stand-in: it exposes the SCORM API and nothing else
    assert result["parent_document"].startswith("threw:")
    assert result["top_nav"].startswith("threw:") and result["top_nav2"].startswith("threw:")
    assert "SIGNED-IN" not in result["fetch_library"] and "SIGNED-IN" not in result["fetch_home"]
    assert (
        result["fetch_library"].startswith("threw:") or result["fetch_library"].split(":")[1] == "anonymous"
    )
    assert result["origin"] == "null"
    # the app page is untouched and still where the user left it
    assert page.url == f"{live_server.url}{pub.get_absolute_url()}"
    assert "hijacked" not in page.url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind,initialize", [("scorm12", "LMSInitialize"), ("scorm2004", "Initialize")])
def test_real_scorm_package_launches_and_reports(live_server, page, demo, kind, initialize):
    """The public Rustici/Moodle SCORM 1.2 and 2004 packages find their API and report to the runtime."""
    pub = _published(demo, kind, f"Golf {kind}")
    login(page, live_server, "demo.gv")
    page.goto(f"{live_server.url}{pub.get_absolute_url()}")
    status = page.locator("[data-testid=runtime-status]")
    page.locator("[data-testid=runtime-status][data-event=setvalue]").wait_for(state="attached")
    # the launch page navigated its content frame to the first page of the course
    _sco_frame(page).frame_locator("#contentFrame").locator("body").wait_for()
    screenshot(page, f"preview-{kind}")
    record = RuntimeRecord.objects.get(publication=pub, user=demo.user("demo.gv"))
    events = [e["event"] for e in record.events]
    assert "initialize" in events
    assert record.scorm_version == ("1.2" if kind == "scorm12" else "2004")
    if kind == "scorm12":
        assert record.cmi["core"]["lesson_status"] == "incomplete"
        assert record.cmi["core"]["lesson_location"] == "0"
    else:
        assert record.cmi["completion_status"] == "incomplete"
        assert record.cmi["location"] == "0"
    assert status.inner_text()
