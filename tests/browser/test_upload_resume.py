"""An upload that survives a reload: the teacher picks the same file again and only the parts the
server does not have yet are sent (Uppy's listParts on the unfinished session)."""

import hashlib
import os
import re
import time

import pytest

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PART_PUT = re.compile(r"/lectures/uploads/\d+/parts/\d+/$")
MB = 1024 * 1024


@pytest.fixture
def demo_city(transactional_db):
    from accounts.demo import load_demo_city
    from submissions.demo import load_demo

    load_demo_city()
    load_demo()


@pytest.fixture
def big_file(tmp_path):
    """40 MB of random bytes: eight parts of 5 MB (S3's smallest part)."""
    path = tmp_path / "bai-giang-lon.pdf"
    path.write_bytes(os.urandom(40 * MB))
    return path


def _pick_and_start(page, path):
    page.wait_for_selector("#uploader .uppy-Dashboard")
    page.set_input_files("#uploader input[type=file].uppy-Dashboard-input >> nth=0", str(path))
    page.locator(".uppy-StatusBar-actionBtn--upload").click()


def test_upload_continues_after_a_reload(demo_city, live_server, page, big_file, settings):
    """Reloaded after half the parts, the same file picked again sends only the missing parts,
    the page says how much was kept, and the stored file is byte for byte the teacher's."""
    from django.core.files.storage import default_storage

    from submissions.models import Lecture, UploadSession
    from submissions.uploads import MIN_PART_BYTES

    settings.UPLOAD_PARALLEL_PARTS = 1
    total_parts = -(-big_file.stat().st_size // MIN_PART_BYTES)
    login(page, live_server, "demo.gv")
    page.goto(f"{live_server.url}/lectures/new/")
    page.select_option("select[name=subject]", label="Toán")
    page.select_option("select[name=grade]", value="6")
    page.fill("input[name=title]", "Bài 9. Tệp lớn tải lại giữa chừng")
    page.get_by_role("button", name="Tạo bản nháp").click()
    lecture_url = page.url

    # First pass: parts are slowed down so that the reload lands in the middle.
    def slow_part(route):
        time.sleep(0.4)
        route.continue_()

    first_pass = []

    def count_first(request):
        if request.method == "PUT" and PART_PUT.search(request.url):
            first_pass.append(request.url)

    page.on("requestfinished", count_first)
    page.route(PART_PUT, slow_part)
    _pick_and_start(page, big_file)
    deadline = time.monotonic() + 60
    while len(first_pass) < total_parts // 2 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    page.remove_listener("requestfinished", count_first)
    kept_parts = len(first_pass)
    assert total_parts // 2 <= kept_parts < total_parts
    page.reload()
    page.unroute(PART_PUT)
    session = UploadSession.objects.get(status=UploadSession.Status.ACTIVE)

    # Second pass: the same file picked again on the reloaded page.
    second_pass = []
    page.on(
        "request",
        lambda r: second_pass.append(r.url) if r.method == "PUT" and PART_PUT.search(r.url) else None,
    )
    assert page.url == lecture_url
    _pick_and_start(page, big_file)
    message = page.get_by_test_id("upload-message")
    page.wait_for_selector("[data-testid=upload-message]:has-text('Đã giữ lại')")
    screenshot(page, "upload-resumed")
    page.wait_for_selector("[data-testid=upload-progress][aria-valuenow='100']", timeout=60_000)
    page.wait_for_selector("[data-testid=check-status]")
    assert "Đã giữ lại" not in message.inner_text()

    print(f"parts: total {total_parts}, first pass {kept_parts}, second pass {len(second_pass)}")
    assert 0 < len(second_pass) < total_parts
    assert len(second_pass) <= total_parts - kept_parts + 1
    session.refresh_from_db()
    assert session.status == UploadSession.Status.COMPLETED
    version = Lecture.objects.get(title="Bài 9. Tệp lớn tải lại giữa chừng").versions.get()
    with default_storage.open(version.file_key, "rb") as stored:
        digest = hashlib.file_digest(stored, "sha256").hexdigest()
    assert digest == hashlib.sha256(big_file.read_bytes()).hexdigest()
