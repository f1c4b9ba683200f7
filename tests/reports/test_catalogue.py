"""The lesson catalogue: a file with a bad row shows the row's error and writes nothing; a good one
is previewed then imported; coverage on the dashboard follows an approval of a linked lecture."""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import CatalogueImport
from submissions.models import CatalogueLesson, Lecture
from tests.workflow import approve, make_draft, make_lecture, submit_lecture

pytestmark = pytest.mark.django_db

GOOD = "mon_hoc,khoi,bo_sach,so_thu_tu,ten_bai,chu_de\ntoan,6,ket-noi,1,Tập hợp,Chương I\nToán,6,ket-noi,2,Cách ghi số tự nhiên,Chương I\n"
BAD = GOOD + "toan,6,sach-la,3,Thứ tự trong tập hợp,\nvat-li,6,,1,Chuyển động,\n"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def upload(client, text, name="danh-muc.csv"):
    return client.post(
        reverse("reports:catalogue"),
        {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
        follow=True,
    )


def test_a_file_with_bad_rows_shows_each_error_and_changes_nothing(client, demo):
    """Unknown series on line 4, a subject not taught in grade 6 on line 5: listed; no lesson written."""
    client.force_login(demo.user("demo.phong"))
    page = upload(client, BAD)
    html = page.content.decode()
    assert 'data-testid="import-errors"' in html
    assert "Không có bộ sách “sach-la”" in html
    assert "Môn Vật lí không dạy ở lớp 6." in html
    errors = page.context["batch"].errors
    assert [(e["line"], e["column"]) for e in errors] == [(4, "bo_sach"), (5, "khoi")]
    assert 'data-testid="import-confirm"' not in html
    assert CatalogueLesson.objects.count() == 0


def test_a_good_file_is_previewed_then_imported_once(client, demo):
    """Preview says 2 new lessons; confirming writes them; importing again updates, never duplicates."""
    client.force_login(demo.user("demo.phong"))
    page = upload(client, GOOD)
    assert "2 bài mới" in page.content.decode()
    assert CatalogueLesson.objects.count() == 0
    batch = page.context["batch"]
    client.post(reverse("reports:catalogue_confirm", args=[batch.pk]))
    client.post(reverse("reports:catalogue_confirm", args=[batch.pk]))
    assert sorted(CatalogueLesson.objects.values_list("number", "title")) == [
        (1, "Tập hợp"),
        (2, "Cách ghi số tự nhiên"),
    ]
    page = upload(client, GOOD.replace("Tập hợp", "Tập hợp. Phần tử của tập hợp"))
    assert "1 bài cập nhật" in page.content.decode()
    client.post(reverse("reports:catalogue_confirm", args=[page.context["batch"].pk]))
    assert CatalogueLesson.objects.count() == 2
    assert CatalogueLesson.objects.get(number=1).title == "Tập hợp. Phần tử của tập hợp"


def test_the_template_downloads_and_reads_back(client, demo):
    """The Excel template has the columns the import reads."""
    client.force_login(demo.user("demo.ldso"))
    response = client.get(reverse("reports:catalogue_template", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["mon_hoc", "khoi", "bo_sach", "so_thu_tu", "ten_bai", "chu_de"]


def test_only_catalogue_keepers_reach_the_import(client, demo):
    """Teachers and principals get 404 and write nothing; the Toán specialist cannot import Ngữ văn."""
    for username in ("demo.gv", "demo.ht"):
        client.force_login(demo.user(username))
        assert client.get(reverse("reports:catalogue")).status_code == 404
        assert upload(client, GOOD).status_code == 404
    client.force_login(demo.user("demo.phong"))
    batch = upload(client, GOOD).context["batch"]
    client.force_login(demo.user("demo.phong.lc"))
    assert client.post(reverse("reports:catalogue_confirm", args=[batch.pk])).status_code == 404
    assert CatalogueLesson.objects.count() == 0
    assert CatalogueImport.objects.get(pk=batch.pk).status == CatalogueImport.Status.READY
    client.force_login(demo.user("demo.cvso"))
    page = upload(client, "mon_hoc,khoi,so_thu_tu,ten_bai\nngu-van,6,1,Bài thơ\n")
    assert "Bạn không phụ trách môn Ngữ văn" in page.content.decode()


def test_coverage_changes_after_an_approval(client, demo, django_capture_on_commit_callbacks):
    """With a 2-lesson catalogue the school shows 0 of 2; after the linked lecture is approved, 1 of 2 (50%)."""
    client.force_login(demo.user("demo.phong"))
    client.post(reverse("reports:catalogue_confirm", args=[upload(client, GOOD).context["batch"].pk]))
    lesson = CatalogueLesson.objects.get(number=1)
    with django_capture_on_commit_callbacks(execute=True):
        lecture = make_lecture(
            demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Tập hợp", lesson=lesson
        )
        make_draft(lecture)
        case = submit_lecture(lecture)
    client.force_login(demo.user("demo.ht"))
    school = demo.unit("THCS-LQD")
    page = client.get(reverse("reports:dashboard_unit", args=[school.pk]))
    coverage = {t.key: t for t in page.context["tables"]}["coverage"]
    assert coverage.rows == [["Toán", 6, 0, 2, 0.0]]
    assert coverage.note == ""
    with django_capture_on_commit_callbacks(execute=True):
        approve(case)
    page = client.get(reverse("reports:dashboard_unit", args=[school.pk]))
    tables = {t.key: t for t in page.context["tables"]}
    assert tables["coverage"].rows == [["Toán", 6, 1, 2, 50.0]]
    assert tables["roadmap"].rows[0][2:5] == [1, 2, 50.0]
    assert Lecture.objects.get(pk=lecture.pk).lesson == lesson


def test_the_lecture_form_offers_catalogue_lessons_and_refuses_a_mismatch(client, demo):
    """The teacher picks a lesson of the catalogue; one of another grade is refused with a Vietnamese message."""
    client.force_login(demo.user("demo.phong"))
    client.post(reverse("reports:catalogue_confirm", args=[upload(client, GOOD).context["batch"].pk]))
    lesson = CatalogueLesson.objects.get(number=2)
    client.force_login(demo.user("demo.gv"))
    form_page = client.get(reverse("submissions:lecture_create"))
    assert "Cách ghi số tự nhiên" in form_page.content.decode()
    data = {
        "department": demo.unit("THCS-LQD-TOAN").pk,
        "subject": lesson.subject_id,
        "grade": 7,
        "title": "Số tự nhiên",
        "lesson": lesson.pk,
    }
    page = client.post(reverse("submissions:lecture_create"), data)
    assert page.status_code in (200, 400)
    assert "không khớp với môn và lớp đã chọn" in page.content.decode()
    assert not Lecture.objects.filter(title="Số tự nhiên").exists()
    client.post(reverse("submissions:lecture_create"), {**data, "grade": 6})
    assert Lecture.objects.get(title="Số tự nhiên").lesson == lesson


def test_an_unreadable_file_is_refused_with_a_clear_message(client, demo):
    """A file without the lesson column, or not a spreadsheet, is refused on the upload page; nothing is kept."""
    client.force_login(demo.user("demo.ldso"))
    page = upload(client, "mon_hoc,khoi,so_thu_tu\ntoan,6,1\n")
    assert page.status_code == 400
    assert "Thiếu cột bắt buộc: ten_bai" in page.content.decode()
    page = upload(client, "không phải bảng tính", name="danh-muc.txt")
    assert page.status_code == 400
    assert "Chỉ nhận tệp .xlsx hoặc .csv." in page.content.decode()
    assert CatalogueImport.objects.count() == 0 and CatalogueLesson.objects.count() == 0
