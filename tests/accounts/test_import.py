"""Importing units and accounts from Excel/CSV: check everything first, then write all or nothing."""

import csv
import io

import pytest
from django.test import Client, TestCase
from openpyxl import Workbook, load_workbook

from accounts.models import ImportBatch, RoleAssignment, Unit, User

HEADER = ["ma_can_bo", "ho_ten", "email", "so_dien_thoai", "ma_don_vi", "vai_tro", "mon_hoc", "cap_hoc"]


def account_rows(n, *, department="THCS-LQD-TOAN"):
    return [
        [
            f"GV{i:05d}",
            f"Nguyễn Văn {i}",
            f"gv{i:05d}@example.edu.vn",
            "0912345678",
            department,
            "Giáo viên",
            "toan",
            "THCS",
        ]
        for i in range(n)
    ]


def xlsx(rows, header=HEADER) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "danh-sach.xlsx"
    return buffer


def csv_file(rows, header=HEADER) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    buffer = io.BytesIO(text.getvalue().encode("utf-8-sig"))
    buffer.name = "danh-sach.csv"
    return buffer


def upload(client, fileobj):
    # A file over 64 KiB is validated by a Celery task queued on commit (eager here).
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/accounts/import/", {"file": fileobj})
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportBatch.objects.latest("pk")


def confirm(client, batch):
    # The import runs in a Celery task queued on commit (eager here).
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/accounts/import/{batch.pk}/confirm/")
    assert response.status_code == 302
    batch.refresh_from_db()
    return batch


def snapshot():
    return (
        list(User.objects.order_by("pk").values_list("username", "full_name", "email", "phone", "password")),
        list(RoleAssignment.objects.order_by("pk").values_list("user_id", "role", "unit_id", "subject_id")),
        list(Unit.objects.order_by("pk").values_list("code", "name", "parent_id", "levels")),
    )


@pytest.fixture
def admin_client(demo, client):
    client.force_login(demo.user("demo.qtt"))
    return client


def test_two_thousand_rows_with_three_bad_ones(admin_client):
    """A 2,000-row file with 3 bad rows shows exactly those 3 errors and writes nothing; fixed, it
    imports; the same file again changes nothing."""
    rows = account_rows(2000)
    rows[10][2] = "khong-phai-email"
    rows[500][4] = "TRUONG-KHONG-CO"
    rows[1999][5] = "Hiệu trưởng"  # a principal must belong to a school, not a department
    before = snapshot()

    batch = upload(admin_client, xlsx(rows))
    assert batch.status == ImportBatch.Status.INVALID
    assert [(e["line"], e["column"]) for e in batch.errors] == [
        (12, "email"),
        (502, "ma_don_vi"),
        (2001, "vai_tro"),
    ]
    page = admin_client.get(f"/accounts/import/{batch.pk}/").content.decode()
    assert "Tệp có 3 lỗi" in page
    assert "Địa chỉ e-mail “khong-phai-email” không hợp lệ." in page
    assert "Không tìm thấy đơn vị “TRUONG-KHONG-CO”." in page
    assert "phải gắn với đơn vị loại “Trường”" in page
    assert admin_client.post(f"/accounts/import/{batch.pk}/confirm/").status_code == 302
    assert snapshot() == before, "an invalid file wrote something"

    rows[10][2] = "gv00010@example.edu.vn"
    rows[500][4] = "THCS-LQD-TOAN"
    rows[1999][5] = "Giáo viên"
    batch = upload(admin_client, xlsx(rows))
    assert batch.status == ImportBatch.Status.READY
    assert batch.summary == {"created": 2000, "updated": 0, "unchanged": 0}
    batch = confirm(admin_client, batch)
    assert batch.status == ImportBatch.Status.DONE
    assert User.objects.filter(username__startswith="GV").count() == 2000
    teacher = User.objects.get(username="GV00010")
    assert teacher.must_change_password
    assert teacher.roles.get().unit.code == "THCS-LQD-TOAN"

    after_first = snapshot()
    batch = upload(admin_client, xlsx(rows))
    assert batch.summary == {"created": 0, "updated": 0, "unchanged": 2000}
    confirm(admin_client, batch)
    assert snapshot() == after_first, "re-importing the same file changed something"


def test_reimport_updates_by_staff_code(admin_client):
    """A changed name in a re-imported CSV updates that account instead of creating another."""
    rows = account_rows(3)
    confirm(admin_client, upload(admin_client, csv_file(rows)))
    rows[1][1] = "Nguyễn Văn Một (đã đổi)"
    batch = upload(admin_client, csv_file(rows))
    assert batch.summary == {"created": 0, "updated": 1, "unchanged": 2}
    confirm(admin_client, batch)
    assert User.objects.filter(username="GV00001").get().full_name == "Nguyễn Văn Một (đã đổi)"
    assert User.objects.filter(username__startswith="GV").count() == 3


def test_initial_passwords_are_shown_once(admin_client):
    """New accounts' one-time passwords are shown once, work once, and are gone after."""
    batch = confirm(admin_client, upload(admin_client, csv_file(account_rows(2))))
    response = admin_client.post(f"/accounts/import/{batch.pk}/passwords/")
    body = response.content.decode()
    assert "GV00000" in body and "data:application/vnd.openxmlformats" in body
    password = response.context["passwords"][0][1]
    again = admin_client.post(f"/accounts/import/{batch.pk}/passwords/").content.decode()
    assert password not in again and "đã được xem hoặc đã hết hạn" in again
    assert Client().post("/login/", {"username": "GV00000", "password": password}).status_code == 302


def test_school_admin_cannot_import_into_another_school(admin_client):
    """A school admin's rows for another school are refused and nothing is written."""
    rows = account_rows(2, department="THCS-HB-TOAN")
    batch = upload(admin_client, xlsx(rows))
    assert batch.status == ImportBatch.Status.INVALID
    assert all("không có quyền quản lý đơn vị" in e["message"] for e in batch.errors)
    assert not User.objects.filter(username__startswith="GV").exists()


def test_existing_account_of_another_school_is_not_taken_over(admin_client):
    """A staff code that already belongs to another school cannot be rewritten by this school."""
    rows = [["demo.hdq.tv1", "Kẻ mạo danh", "", "", "THCS-LQD-TOAN", "Giáo viên", "toan", "THCS"]]
    batch = upload(admin_client, xlsx(rows))
    assert batch.status == ImportBatch.Status.INVALID
    assert "đã là tài khoản của đơn vị khác" in batch.errors[0]["message"]
    assert User.objects.get(username="demo.hdq.tv1").full_name == "Phan Văn Khải"


def test_district_officer_imports_units_then_accounts(demo, client):
    """A district officer creates a school and its department from a units file, then its teachers."""
    client.force_login(demo.user("demo.phong"))
    units = [
        ["THCS-MOI", "Trường THCS Mới", "Trường", "PGD-HB", "THCS", ""],
        ["THCS-MOI-TOAN", "Tổ Toán", "Tổ", "THCS-MOI", "THCS", "toan"],
    ]
    header = ["ma_don_vi", "ten_don_vi", "loai", "ma_don_vi_cap_tren", "cap_hoc", "mon_hoc"]
    batch = confirm(client, upload(client, xlsx(units, header)))
    assert batch.status == ImportBatch.Status.DONE
    school = Unit.objects.get(code="THCS-MOI")
    assert school.parent.code == "PGD-HB" and school.levels == ["lower_secondary"]
    assert Unit.objects.get(code="THCS-MOI-TOAN").path.startswith(school.path)
    batch = confirm(client, upload(client, xlsx(account_rows(2, department="THCS-MOI-TOAN"))))
    assert batch.status == ImportBatch.Status.DONE
    assert User.objects.filter(roles__unit__code="THCS-MOI-TOAN").count() == 2


def test_district_officer_cannot_create_units_in_another_district(demo, client):
    """Units under another district's office are refused."""
    client.force_login(demo.user("demo.phong"))
    header = ["ma_don_vi", "ten_don_vi", "loai", "ma_don_vi_cap_tren", "cap_hoc", "mon_hoc"]
    batch = upload(client, xlsx([["TH-LA", "Trường TH Lạ", "Trường", "PGD-LC", "TH", ""]], header))
    assert batch.status == ImportBatch.Status.INVALID
    assert not Unit.objects.filter(code="TH-LA").exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\xff\xfe\x00garbage", "x.csv", "UTF-8"),
        (b"PK\x03\x04broken", "x.xlsx", "Tệp Excel bị hỏng"),
        (b"cot_la,cot_khac\n1,2\n", "x.csv", "Không nhận ra mẫu tệp"),
        (b"ma_can_bo,ho_ten\nGV1,An\n", "x.csv", "Thiếu cột bắt buộc"),
    ],
)
def test_unreadable_files_get_a_clear_message(admin_client, content, name, message):
    """A file that cannot be read at all says why, in Vietnamese, and writes nothing."""
    fileobj = io.BytesIO(content)
    fileobj.name = name
    batch = upload(admin_client, fileobj)
    assert batch.status == ImportBatch.Status.INVALID
    assert message in batch.errors[0]["message"]


@pytest.mark.parametrize("username", ["demo.gv", "demo.tt", "demo.ht", "demo.cvso", "demo.hdq.ct"])
def test_only_account_administrators_may_import(demo, client, username):
    """Roles that do not administer accounts get 403 on the import pages."""
    client.force_login(demo.user(username))
    assert client.get("/accounts/import/").status_code == 403
    assert client.post("/accounts/import/", {"file": csv_file(account_rows(1))}).status_code == 403
    assert not ImportBatch.objects.exists()


def test_someone_elses_batch_is_not_found(admin_client, demo, client):
    """A batch belongs to its uploader: anyone else gets 404 and cannot confirm it."""
    batch = upload(admin_client, csv_file(account_rows(1)))
    client.force_login(demo.user("demo.phong"))
    assert client.get(f"/accounts/import/{batch.pk}/").status_code == 404
    assert client.post(f"/accounts/import/{batch.pk}/confirm/").status_code == 404
    assert not User.objects.filter(username="GV00000").exists()


def test_template_downloads_are_valid_workbooks(admin_client):
    """The documented templates download as workbooks with the expected columns."""
    response = admin_client.get("/accounts/import/template/accounts.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == HEADER
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("kind", ["accounts", "units"])
def test_template_example_rows_name_units_of_the_demo_city(demo, client, kind):
    """The example rows of both templates use unit codes that exist in the demo city, so the
    district officer can import the template as it is without an error."""
    client.force_login(demo.user("demo.phong"))
    response = client.get(f"/accounts/import/template/{kind}.xlsx")
    content = io.BytesIO(response.content)
    content.name = f"{kind}.xlsx"
    batch = upload(client, content)
    assert batch.errors == [], batch.errors


class TestAccountManagement:
    def test_school_admin_deactivates_and_reactivates(self, admin_client, demo):
        """The school admin locks a teacher out and lets them back in."""
        client = Client()
        teacher = demo.user("demo.gv")
        admin_client.post(f"/accounts/users/{teacher.pk}/active/", {"active": "0"})
        assert not User.objects.get(pk=teacher.pk).is_active
        assert client.post("/login/", {"username": "demo.gv", "password": "hoclieu2026"}).status_code == 200
        admin_client.post(f"/accounts/users/{teacher.pk}/active/", {"active": "1"})
        assert client.post("/login/", {"username": "demo.gv", "password": "hoclieu2026"}).status_code == 302

    def test_school_admin_resets_a_password(self, admin_client, demo):
        """A reset gives a one-time password shown once; the old one stops working."""
        client = Client()
        teacher = demo.user("demo.gv")
        response = admin_client.post(f"/accounts/users/{teacher.pk}/reset-password/")
        password = response.context["new_password"]
        assert password and password in response.content.decode()
        assert client.post("/login/", {"username": "demo.gv", "password": "hoclieu2026"}).status_code == 200
        assert client.post("/login/", {"username": "demo.gv", "password": password}).status_code == 302

    @pytest.mark.parametrize(
        ("username", "status"),
        [
            ("demo.gv.van", 404),
            ("demo.tt", 403),
            ("demo.ht", 403),
            ("demo.phong.lc", 404),
            ("demo.cvso", 403),
        ],
    )
    def test_others_cannot_manage_the_account(self, demo, client, username, status):
        """Who cannot see the teacher gets 404; who sees but does not administer gets 403; nothing changes."""
        target = demo.user("demo.gv")
        client.force_login(demo.user(username))
        assert client.post(f"/accounts/users/{target.pk}/active/", {"active": "0"}).status_code == status
        assert client.post(f"/accounts/users/{target.pk}/reset-password/").status_code == status
        target.refresh_from_db()
        assert target.is_active and target.check_password("hoclieu2026")

    def test_state_changes_need_post(self, admin_client, demo):
        """A GET to an account action changes nothing."""
        teacher = demo.user("demo.gv")
        assert admin_client.get(f"/accounts/users/{teacher.pk}/active/?active=0").status_code == 405
        assert User.objects.get(pk=teacher.pk).is_active
