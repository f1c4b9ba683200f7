"""A school's account administrator imports the staff list in a real browser."""

import csv
import io

import pytest

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["ma_can_bo", "ho_ten", "email", "so_dien_thoai", "ma_don_vi", "vai_tro", "mon_hoc", "cap_hoc"]


def csv_bytes(rows):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def test_import_shows_errors_then_imports_and_reveals_passwords_once(live_server, page, tmp_path):
    """Bad rows are listed in Vietnamese; the corrected file imports; initial passwords show once."""
    from accounts.demo import load_demo_city
    from accounts.models import User

    load_demo_city()
    rows = [
        [
            f"GVM{i:03d}",
            f"Trần Thị {i}",
            f"gvm{i:03d}@example.edu.vn",
            "",
            "THCS-LQD-TOAN",
            "Giáo viên",
            "toan",
            "THCS",
        ]
        for i in range(30)
    ]
    rows[4][2] = "sai@"
    bad = tmp_path / "nhan-su.csv"
    bad.write_bytes(csv_bytes(rows))

    login(page, live_server, "demo.qtt")
    page.goto(f"{live_server.url}/accounts/import/")
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    assert "Tệp có 1 lỗi" in page.locator("[data-testid=import-errors]").inner_text()
    assert "“sai@” không hợp lệ" in page.locator("[data-testid=error-table]").inner_text()
    screenshot(page, "import-errors")
    assert not User.objects.filter(username__startswith="GVM").exists()

    rows[4][2] = "gvm004@example.edu.vn"
    good = tmp_path / "nhan-su-da-sua.csv"
    good.write_bytes(csv_bytes(rows))
    page.goto(f"{live_server.url}/accounts/import/")
    page.set_input_files("input[type=file]", str(good))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    page.locator("[data-testid=import-confirm]").click()
    page.locator("[data-testid=import-done]").wait_for()
    assert User.objects.filter(username__startswith="GVM").count() == 30
    screenshot(page, "import-done")

    page.locator("[data-testid=reveal-passwords]").click()
    assert page.locator("[data-testid=password-table] tbody tr").count() == 30
    screenshot(page, "import-passwords")
    page.go_back()
    page.reload()
    page.locator("[data-testid=reveal-passwords]").click()
    assert "đã được xem hoặc đã hết hạn" in page.locator(".alert-info").inner_text()
