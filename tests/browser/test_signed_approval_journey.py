"""Signed approvals in a real browser: the head approves, the author downloads the stamped and
signed PDF from the minutes page, and anyone checks it on "Kiểm tra văn bản" (issue 10, item 6)."""

import shutil
import subprocess

import pytest

from tests.signing_ca import make_ca

from .conftest import ARTIFACTS, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_city(transactional_db):
    from accounts.demo import load_demo_city

    load_demo_city()


def _stamp_png(pdf_path, name):
    """The last page of the PDF as a PNG in test-artifacts/ to look at (poppler's pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "90", "-singlefile", "-f", "1", str(pdf_path), str(ARTIFACTS / name)],
        check=True,
    )


def test_author_downloads_the_signed_pdf_and_the_verify_page_recognises_it(
    demo_city, live_server, page, tmp_path, settings, monkeypatch
):
    """Approve in the case page; the minutes page says signed; the downloaded PDF, uploaded on
    "Kiểm tra văn bản", is unchanged since approval; a changed copy is not."""
    from accounts.models import Unit, User
    from tests.workflow import submit

    ca = make_ca(tmp_path, signer_name="Trường THCS Lê Quý Đôn")
    settings.SIGNING_CERTIFICATES = {
        "THCS-LQD": {"p12": str(ca.p12_path), "password_env": "SIGNING_PASSWORD_LQD"}
    }
    monkeypatch.setenv("SIGNING_PASSWORD_LQD", ca.password)
    case = submit(User.objects.get(username="demo.gv"), Unit.objects.get(code="THCS-LQD-TOAN"))

    login(page, live_server, "demo.tt")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.fill("textarea[name=conclusion]", "Đạt yêu cầu.")
    page.check("input[name=decision][value=approve]")
    page.get_by_test_id("decide-submit").click()
    page.get_by_text("Đã phê duyệt và lập biên bản.").wait_for()

    page.context.clear_cookies()
    login(page, live_server, "demo.gv")
    page.goto(f"{live_server.url}/reviews/minutes/{case.minutes.pk}/")
    status = page.get_by_test_id("approved-status")
    assert "chữ ký số của Trường THCS Lê Quý Đôn" in status.inner_text()
    screenshot(page, "signed-approval-minutes-page")
    with page.expect_download() as download_info:
        page.get_by_test_id("approved-pdf").click()
    path = tmp_path / "ban-phe-duyet.pdf"
    download_info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF") and b"/ByteRange" in path.read_bytes()
    _stamp_png(path, "signed-approval-stamp")

    # "Kiểm tra văn bản" is in the user's own drop-down.
    page.locator(".user-menu-toggle").click()
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Kiểm tra văn bản"
    ).click()
    page.set_input_files("input[name=file]", str(path))
    page.get_by_test_id("verify-submit").click()
    result = page.get_by_test_id("verify-result")
    result.wait_for()
    assert result.get_attribute("data-kind") == "unchanged"
    assert "Văn bản nguyên vẹn từ khi phê duyệt" in result.inner_text()
    assert "Trần Văn Hùng" in result.inner_text()
    screenshot(page, "signed-approval-verify-unchanged")

    data = bytearray(path.read_bytes())
    data[data.index(b"stream", data.index(b"/Contents")) + 40] ^= 0x01
    changed = tmp_path / "ban-da-sua.pdf"
    changed.write_bytes(bytes(data))
    page.set_input_files("input[name=file]", str(changed))
    page.get_by_test_id("verify-submit").click()
    page.locator("[data-testid=verify-result][data-kind=broken]").wait_for()
    assert "Văn bản đã bị thay đổi" in page.get_by_test_id("verify-result").inner_text()
    screenshot(page, "signed-approval-verify-broken")

    page.set_input_files(
        "input[name=file]", {"name": "ghi-chu.txt", "mimeType": "text/plain", "buffer": b"abc"}
    )
    page.get_by_test_id("verify-submit").click()
    page.get_by_text("Tệp này không phải văn bản PDF.", exact=True).wait_for()
    screenshot(page, "signed-approval-verify-not-pdf")
