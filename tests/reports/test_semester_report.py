"""The semester report (seed 002 §4): a principal or a district officer writes the three sections,
generates it, and downloads the DOCX and PDF again later; tests read both files back. Every other
role gets 404 and changes nothing."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from reports.models import SemesterReport
from submissions.models import AcademicYear
from tests.reports.builders import district_with_lectures
from tests.workflow import approve, return_for_changes, submit

pytestmark = pytest.mark.django_db
# Lê Chân's officer, and the cluster head who is also principal of PT Hải Galaxy.
WRITE_ELSEWHERE = {"demo.phong.lc", "demo.cumtruong"}

TEXTS = {
    "difficulties": "Một số giáo viên lớn tuổi còn lúng túng khi đóng gói SCORM.\nĐường truyền chậm.",
    "causes": "Chưa được tập huấn đầy đủ.",
    "recommendations": "Đề nghị Phòng GDĐT tổ chức tập huấn đóng gói bài giảng.",
}


@pytest.fixture
def year(db):
    today = timezone.localdate()
    return AcademicYear.objects.create(
        name=f"{today.year}–{today.year + 1}",
        starts_on=today - datetime.timedelta(days=60),
        semester1_ends_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=200),
    )


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def download(client, report, fmt) -> bytes:
    response = client.get(reverse("reports:semester_download", args=[report.pk, fmt]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def _start(client, unit, year, period="semester1"):
    response = client.post(
        reverse("reports:semester_start"), {"unit": unit.pk, "year": year.pk, "period": period}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return SemesterReport.objects.get(unit=unit, year=year, period=period)


def test_a_principal_writes_generates_and_downloads_the_schools_report(client, demo, year):
    """Three lectures submitted, two approved and one returned: the files show the school's header,
    those counts, the two approved titles, the total line, the sections and the signature."""
    gv, toan = demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN")
    approve(submit(gv, toan, title="Phân số bằng nhau"))
    approve(submit(gv, toan, title="Số thập phân"))
    return_for_changes(submit(gv, toan, title="Tỉ số phần trăm"))
    client.force_login(demo.user("demo.ht"))
    assert client.get(reverse("reports:semester_list")).status_code == 200
    report = _start(client, demo.unit("THCS-LQD"), year)
    assert _start(client, demo.unit("THCS-LQD"), year) == report  # opening again opens the same one

    url = reverse("reports:semester_detail", args=[report.pk])
    empty = client.post(
        url, {"difficulties": "Chỉ một phần", "causes": "", "recommendations": "", "generate": "1"}
    )
    assert empty.status_code == 400
    assert "Hãy viết phần này trước khi lập báo cáo." in empty.content.decode()
    assert "Chỉ một phần" in empty.content.decode()  # nothing typed is lost
    report.refresh_from_db()
    assert report.generated_at is None and report.difficulties == "Chỉ một phần"

    assert client.post(url, {**TEXTS, "generate": "1"}).status_code == 302
    report.refresh_from_db()
    assert report.generated_at is not None
    page = client.get(url).content.decode()
    assert "Đã lập lúc" in page

    for text in (docx_text(download(client, report, "docx")), pdf_text(download(client, report, "pdf"))):
        flat = " ".join(text.split())
        assert "PHÒNG GDĐT QUẬN HỒNG BÀNG" in flat
        assert "TRƯỜNG THCS LÊ QUÝ ĐÔN" in flat
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
        assert "BÁO CÁO" in flat and "học kì I năm học" in flat
        assert "Kính gửi: Phòng GDĐT quận Hồng Bàng" in flat
        assert "Số bài giảng giáo viên nộp lần đầu: 3; số bài giảng được phê duyệt: 2." in flat
        assert "Phân số bằng nhau" in flat and "Số thập phân" in flat and "Tỉ số phần trăm" not in flat
        assert "Tổng cộng danh sách có 2 bài giảng" in flat
        assert "Đường truyền chậm." in flat and "Chưa được tập huấn đầy đủ." in flat
        assert "Đề nghị Phòng GDĐT tổ chức tập huấn" in flat
        assert "HIỆU TRƯỞNG" in flat and "(kí tên và đóng dấu)" in flat
    table = docx_text(download(client, report, "docx"))
    assert "Cấp trường | 3 | 2 | 1 | 0 | 0" in table


def test_generating_again_replaces_the_files_and_keeps_the_report(client, demo, year):
    """A second generation prints the new text; the report is still one, downloadable."""
    client.force_login(demo.user("demo.ht"))
    report = _start(client, demo.unit("THCS-LQD"), year, period="year")
    url = reverse("reports:semester_detail", args=[report.pk])
    client.post(url, {**TEXTS, "generate": "1"})
    client.post(url, {**TEXTS, "causes": "Nguyên nhân mới viết lại.", "generate": "1"})
    report = SemesterReport.objects.get()
    assert "Nguyên nhân mới viết lại." in docx_text(download(client, report, "docx"))
    assert "Nguyên nhân mới viết lại." in " ".join(pdf_text(download(client, report, "pdf")).split())
    assert "năm học" in report.period_label


def test_a_district_officer_reports_for_the_district_with_each_school(client, demo, year):
    """The district's report counts its schools' lectures and lists every school with its figures."""
    district_with_lectures(demo, schools=2, per_school=2)
    client.force_login(demo.user("demo.phong"))
    report = _start(client, demo.unit("PGD-HB"), year)
    client.post(reverse("reports:semester_detail", args=[report.pk]), {**TEXTS, "generate": "1"})
    text = " ".join(docx_text(download(client, report, "docx")).split())
    assert "UBND QUẬN HỒNG BÀNG" in text and "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO" in text
    assert "Kính gửi: Sở Giáo dục và Đào tạo Hải Phòng" in text
    assert "THCS Hồng Bàng số 1 | 2 | 2" in text and "THCS Hồng Bàng số 2 | 2 | 2" in text
    assert "Tổng cộng danh sách có 4 bài giảng" in text
    assert "TRƯỞNG PHÒNG" in " ".join(pdf_text(download(client, report, "pdf")).split())


def test_who_sees_and_who_writes_a_report(client, demo, year):
    """The school's principal writes it; the district officer above reads and downloads it but
    cannot change it; every other role (another district, teachers, heads, specialists, panel
    members, school admins) gets 404 on every page and changes nothing."""
    client.force_login(demo.user("demo.ht"))
    report = _start(client, demo.unit("THCS-LQD"), year)
    client.post(reverse("reports:semester_detail", args=[report.pk]), {**TEXTS, "generate": "1"})
    report.refresh_from_db()
    before = list(SemesterReport.objects.values())
    detail = reverse("reports:semester_detail", args=[report.pk])

    client.force_login(demo.user("demo.phong"))
    assert client.get(detail).status_code == 200
    assert download(client, report, "pdf")
    assert client.post(detail, {**TEXTS, "causes": "sửa trộm", "generate": "1"}).status_code == 404
    # The officer's start form offers only their district.
    refused = client.post(
        reverse("reports:semester_start"),
        {"unit": demo.unit("THCS-LQD").pk, "year": year.pk, "period": "year"},
    )
    assert refused.status_code == 400 and "Bạn không lập báo cáo cho đơn vị này." in refused.content.decode()

    client.force_login(demo.user("demo.ldso"))
    assert client.get(detail).status_code == 200

    for username in (
        "demo.phong.lc",
        "demo.gv",
        "demo.tt",
        "demo.cvso",
        "demo.qtt",
        "demo.hds.ct",
        "demo.cumtruong",
    ):
        client.force_login(demo.user(username))
        listing = client.get(reverse("reports:semester_list"))
        if username in WRITE_ELSEWHERE:  # writes its own unit's reports, sees none of Hồng Bàng's
            assert listing.status_code == 200 and detail not in listing.content.decode()
        else:
            assert listing.status_code == 404, username
        assert client.get(detail).status_code == 404, username
        assert client.post(detail, {**TEXTS, "generate": "1"}).status_code == 404, username
        for fmt in ("docx", "pdf"):
            assert client.get(reverse("reports:semester_download", args=[report.pk, fmt])).status_code == 404
        start = client.post(
            reverse("reports:semester_start"),
            {"unit": demo.unit("THCS-LQD").pk, "year": year.pk, "period": "year"},
        )
        assert start.status_code == (400 if username in WRITE_ELSEWHERE else 404), username
    assert list(SemesterReport.objects.values()) == before
    # A GET never creates a report.
    client.force_login(demo.user("demo.ht"))
    assert client.get(reverse("reports:semester_start")).status_code == 405


def test_a_long_report_is_built_in_the_background(
    client, demo, year, settings, django_capture_on_commit_callbacks
):
    """Above REPORT_BACKGROUND_ROWS approved lectures the build is queued (eager in tests): the page
    polls while it works, then offers the files, which hold every row."""
    settings.REPORT_BACKGROUND_ROWS = 1
    gv, toan = demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN")
    for title in ("Phân số", "Số thập phân"):
        approve(submit(gv, toan, title=title))
    client.force_login(demo.user("demo.ht"))
    report = _start(client, demo.unit("THCS-LQD"), year)
    url = reverse("reports:semester_detail", args=[report.pk])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert client.post(url, {**TEXTS, "generate": "1"}).status_code == 302
    assert len(queued) == 1
    working = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in working and "Đang lập báo cáo" in working
    assert "<html" not in working  # the partial alone answers the poll
    queued[0]()
    report.refresh_from_db()
    assert report.generating_since is None and report.generated_at is not None
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and "Tải bản PDF" in done
    assert "Tổng cộng danh sách có 2 bài giảng" in " ".join(pdf_text(download(client, report, "pdf")).split())


def test_a_failed_background_build_says_so_and_can_be_retried(client, demo, year):
    """A build that cannot finish (here: its author was deactivated meanwhile) leaves a clear
    Vietnamese message on the page instead of a report stuck "in progress"."""
    from reports import services

    client.force_login(demo.user("demo.ht"))
    report = _start(client, demo.unit("THCS-LQD"), year)
    SemesterReport.objects.filter(pk=report.pk).update(generating_since=timezone.now(), **TEXTS)
    gone = demo.user("demo.pht")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    services.semester_report_build(report_id=report.pk, actor_id=gone.pk)
    report.refresh_from_db()
    assert report.generating_since is None and report.generated_at is None
    page = client.get(reverse("reports:semester_detail", args=[report.pk])).content.decode()
    assert "Không lập được báo cáo. Hãy thử lại" in page
    assert (
        client.post(
            reverse("reports:semester_detail", args=[report.pk]), {**TEXTS, "generate": "1"}
        ).status_code
        == 302
    )
    report.refresh_from_db()
    assert report.generated_at is not None and report.generate_error == ""
