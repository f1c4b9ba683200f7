"""A district officer runs the programme in a real browser (issue 11): opens the dashboard (charts
drawn), imports a lesson catalogue, sees coverage change after an approval, exports the approved
list and generates the district's semester report."""

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from .conftest import login, screenshot
from .test_review_journey import demo_city  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATALOGUE = (
    "mon_hoc,khoi,bo_sach,so_thu_tu,ten_bai,chu_de\n"
    "toan,6,ket-noi,1,Tập hợp,Chương I\n"
    "toan,6,ket-noi,2,Cách ghi số tự nhiên,Chương I\n"
)


def _coverage_row(page, subject="Toán", grade="6"):
    row = page.get_by_test_id("table-coverage").locator("tbody tr", has_text=subject)
    cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
    assert cells[1] == grade, cells
    return cells


def test_district_officer_dashboard_catalogue_coverage_list_and_report(
    page,
    live_server,
    demo_city,  # noqa: F811
    tmp_path,
):
    from django.core.cache import cache

    from submissions.models import CatalogueLesson
    from tests.conftest import DemoCity
    from tests.workflow import approve, make_draft, make_lecture, submit_lecture

    cache.clear()
    login(page, live_server, "demo.phong")

    # The dashboard, from the "Báo cáo" menu: its charts are drawn.
    page.get_by_role("button", name="Báo cáo").click()
    page.get_by_role("link", name="Bảng số liệu", exact=True).click()
    for chart in ("chart-cases", "chart-coverage"):
        page.wait_for_selector(f"#{chart}[data-drawn=true]")
    dashboard_url = page.url

    # The lesson catalogue: a CSV, previewed, then imported.
    page.goto(f"{live_server.url}/reports/catalogue/")
    path = tmp_path / "danh-muc.csv"
    path.write_text(CATALOGUE, encoding="utf-8")
    page.set_input_files("input[name=file]", str(path))
    page.locator("form", has=page.locator("input[name=file]")).locator("button[type=submit]").click()
    page.get_by_test_id("import-ready").wait_for()
    page.get_by_test_id("import-confirm").click()
    page.get_by_test_id("import-done").wait_for()
    assert CatalogueLesson.objects.count() == 2

    page.goto(dashboard_url)
    before = _coverage_row(page)
    assert before[2:4] == ["0", "2"], before

    # A teacher's lecture on lesson 1 is approved by the department head.
    from accounts.models import Unit, User

    demo = DemoCity({u.username: u for u in User.objects.all()}, {u.code: u for u in Unit.objects.all()})
    lecture = make_lecture(
        demo.user("demo.gv"),
        demo.unit("THCS-LQD-TOAN"),
        title="Tập hợp và phần tử",
        lesson=CatalogueLesson.objects.get(number=1),
    )
    make_draft(lecture)
    approve(submit_lecture(lecture))

    page.goto(dashboard_url)
    after = _coverage_row(page)
    assert after[2:4] == ["1", "2"], after
    screenshot(page, "officer-dashboard-coverage")

    # The approved list of the district, as Excel.
    page.get_by_role("button", name="Báo cáo").click()
    page.get_by_role("link", name="Danh sách phê duyệt", exact=True).click()
    page.get_by_test_id("list-form").locator("button[type=submit]").first.click()
    page.get_by_test_id("list-count").wait_for()
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    titles = [str(row[1]) for row in sheet.iter_rows(values_only=True) if row and row[1]]
    assert "Tập hợp và phần tử" in titles

    # The district's semester report: sections written, DOCX generated and read back.
    page.get_by_role("button", name="Báo cáo").click()
    page.get_by_role("link", name="Báo cáo học kì", exact=True).click()
    page.get_by_test_id("semester-start").get_by_role("button", name="Mở báo cáo").click()
    page.fill("textarea[name=difficulties]", "Nhiều trường thiếu thiết bị ghi hình.")
    page.fill("textarea[name=causes]", "Kinh phí mua sắm chưa được cấp.")
    page.fill("textarea[name=recommendations]", "Đề nghị Sở hỗ trợ thiết bị cho các trường.")
    page.get_by_test_id("generate").click()
    page.get_by_test_id("semester-generated").wait_for()
    screenshot(page, "officer-semester-report")
    with page.expect_download() as download:
        page.get_by_test_id("download-docx").click()
    document = Document(io.BytesIO(open(download.value.path(), "rb").read()))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO" in text.upper()
    assert "Nhiều trường thiếu thiết bị ghi hình." in text and "Tập hợp và phần tử" in text
