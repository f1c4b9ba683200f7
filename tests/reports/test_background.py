"""Long lists are built by a Celery task (eager in tests) with a progress bar, kept for their
requester; bad input is a clear Vietnamese error; the page's queries do not grow with the list."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import ListExport
from tests.reports.builders import district_with_lectures
from tests.workflow import approve, submit

pytestmark = pytest.mark.django_db


def test_a_long_list_is_built_in_the_background_and_kept(
    client, demo, settings, django_capture_on_commit_callbacks
):
    """Above REPORT_BACKGROUND_ROWS the export is queued: the requester follows its progress, then
    downloads the file (again and again); nobody else sees it."""
    settings.REPORT_BACKGROUND_ROWS = 2
    for i in range(3):
        approve(submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title=f"Bài {i}"))
    client.force_login(demo.user("demo.phong"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:approved_list_export", args=["xlsx"]), {"unit": demo.unit("PGD-HB").pk}
        )
    export = ListExport.objects.get()
    assert response.status_code == 302 and response["Location"] == export.get_absolute_url()
    assert export.status == ListExport.Status.DONE and export.progress == export.progress_total == 3
    page = client.get(export.get_absolute_url())
    assert "Đã lập xong danh sách 3 bài giảng." in page.content.decode()
    for _ in range(2):
        download = client.get(reverse("reports:export_download", args=[export.pk]))
        ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
        assert ws.cell(row=7 + 3 + 1, column=1).value == "Tổng cộng danh sách có 3 bài giảng./."
    assert "danh-sach" in download["Content-Disposition"]
    listed = client.get(reverse("reports:approved_list"))
    assert export.get_absolute_url() in listed.content.decode()
    client.force_login(demo.user("demo.phong.lc"))
    assert client.get(export.get_absolute_url()).status_code == 404
    assert client.get(reverse("reports:export_download", args=[export.pk])).status_code == 404


def test_progress_is_polled_while_the_task_works(client, demo):
    """A queued export shows a progress bar that htmx polls; the partial alone answers the poll."""
    user = demo.user("demo.phong")
    export = ListExport.objects.create(
        requested_by=user,
        unit=demo.unit("PGD-HB"),
        params={"unit": demo.unit("PGD-HB").pk},
        format="pdf",
        status=ListExport.Status.RUNNING,
        progress=1200,
        progress_total=4000,
    )
    client.force_login(user)
    html = client.get(export.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'aria-valuenow="30"' in html and "Đang lập danh sách" in html
    partial = client.get(export.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="export-status"') and "<html" not in partial


def test_a_failed_build_says_so_in_vietnamese(demo):
    """A requester who lost the right to inspect the unit gets a failed export, not a file."""
    from reports.services import list_export_build

    export = ListExport.objects.create(
        requested_by=demo.user("demo.gv"),
        unit=demo.unit("PGD-HB"),
        params={"unit": demo.unit("PGD-HB").pk},
        format="xlsx",
    )
    export = list_export_build(export_id=export.pk)
    assert export.status == ListExport.Status.FAILED and "Không lập được danh sách" in export.error
    assert not export.file_key


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "year:999999"}, "Thời gian không hợp lệ"),
        ({"grade": "13"}, "Lớp phải từ 1 đến 12."),
        ({"subject": "999999"}, "Môn học không có trong danh mục."),
        ({"level": "galaxy"}, "Cấp phê duyệt không hợp lệ."),
    ],
)
def test_bad_input_is_a_clear_vietnamese_error(client, demo, params, message):
    """A filter outside the choices re-shows the form (400) with the error in Vietnamese, for the page and the export."""
    client.force_login(demo.user("demo.phong"))
    page = client.get(reverse("reports:approved_list"), params)
    assert page.status_code == 400 and message in page.content.decode()
    assert "Chưa lập được danh sách" in page.content.decode()
    export = client.post(reverse("reports:approved_list_export", args=["pdf"]), params)
    assert export.status_code == 400 and message in export.content.decode()
    assert client.get(reverse("reports:approved_list"), {"unit": "abc"}).status_code == 404


def test_list_page_queries_do_not_grow_with_the_rows(
    client, demo, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """The list page of a district runs the same number of queries for 4 and for 16 lectures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(demo.user("demo.phong"))
    url = reverse("reports:approved_list")
    district_with_lectures(demo, schools=1, per_school=4)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).context["count"] == 4
    with django_capture_on_commit_callbacks(execute=True):  # the publications clear the kept count
        district_with_lectures_more(demo)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).context["count"] == 16
    assert len(few.captured_queries) <= 20


def district_with_lectures_more(demo):
    from accounts.models import Unit

    department = Unit.objects.get(code="THCS-HB-1-TOAN")
    teacher = department.role_assignments.get(role="teacher").user
    for i in range(12):
        approve(submit(teacher, department, title=f"Thêm bài {i}", grade=7))
