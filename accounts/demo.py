"""The demo city: units, one user for every role, district and city panels. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .curriculum import load_curriculum
from .models import Panel, PanelMembership, RoleAssignment, SchoolLevel, Subject, TextbookSeries, Unit, User

DEMO_PASSWORD = "hoclieu2026"
Role = RoleAssignment.Role
L = SchoolLevel

# code, name, kind, parent code, levels, subject codes
UNITS = [
    ("SGD", "Sở Giáo dục và Đào tạo Hải Phòng", Unit.Kind.CITY, None, [], []),
    ("PGD-HB", "Phòng GDĐT quận Hồng Bàng", Unit.Kind.DISTRICT, "SGD", [], []),
    ("PGD-LC", "Phòng GDĐT quận Lê Chân", Unit.Kind.DISTRICT, "SGD", [], []),
    ("CUM-THPT1", "Cụm trường THPT số 1", Unit.Kind.CLUSTER, "SGD", [], []),
    ("TH-NGUYENTRAI", "Trường Tiểu học Nguyễn Trãi", Unit.Kind.SCHOOL, "PGD-LC", [L.PRIMARY], []),
    (
        "TH-NGUYENTRAI-K4",
        "Tổ khối 4",
        Unit.Kind.DEPARTMENT,
        "TH-NGUYENTRAI",
        [L.PRIMARY],
        ["toan", "tieng-viet", "khoa-hoc"],
    ),
    ("THCS-LQD", "Trường THCS Lê Quý Đôn", Unit.Kind.SCHOOL, "PGD-HB", [L.LOWER_SECONDARY], []),
    (
        "THCS-LQD-TOAN",
        "Tổ Toán – Tin",
        Unit.Kind.DEPARTMENT,
        "THCS-LQD",
        [L.LOWER_SECONDARY],
        ["toan", "tin-hoc"],
    ),
    (
        "THCS-LQD-VAN",
        "Tổ Ngữ văn – Lịch sử và Địa lí",
        Unit.Kind.DEPARTMENT,
        "THCS-LQD",
        [L.LOWER_SECONDARY],
        ["ngu-van", "lich-su-dia-li"],
    ),
    ("THCS-HB", "Trường THCS Hồng Bàng", Unit.Kind.SCHOOL, "PGD-HB", [L.LOWER_SECONDARY], []),
    (
        "THCS-HB-TOAN",
        "Tổ Toán – Khoa học tự nhiên",
        Unit.Kind.DEPARTMENT,
        "THCS-HB",
        [L.LOWER_SECONDARY],
        ["toan", "khoa-hoc-tu-nhien"],
    ),
    ("THPT-TRANPHU", "Trường THPT Trần Phú", Unit.Kind.SCHOOL, "CUM-THPT1", [L.UPPER_SECONDARY], []),
    ("THPT-TRANPHU-TOAN", "Tổ Toán", Unit.Kind.DEPARTMENT, "THPT-TRANPHU", [L.UPPER_SECONDARY], ["toan"]),
    (
        "THPT-TRANPHU-DIA",
        "Tổ Lịch sử – Địa lí",
        Unit.Kind.DEPARTMENT,
        "THPT-TRANPHU",
        [L.UPPER_SECONDARY],
        ["lich-su", "dia-li"],
    ),
    (
        "PT-HG",
        "Trường PT nhiều cấp Hermann Gmeiner",
        Unit.Kind.SCHOOL,
        "CUM-THPT1",
        [L.PRIMARY, L.LOWER_SECONDARY, L.UPPER_SECONDARY],
        [],
    ),
    (
        "PT-HG-TOAN",
        "Tổ Toán – Tin",
        Unit.Kind.DEPARTMENT,
        "PT-HG",
        [L.LOWER_SECONDARY, L.UPPER_SECONDARY],
        ["toan", "tin-hoc"],
    ),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    label: str
    roles: tuple  # (role, unit code, subject code or "", level or "")


USERS = [
    DemoUser(
        "demo.gv",
        "Nguyễn Thị Lan",
        "Giáo viên Toán – THCS Lê Quý Đôn",
        ((Role.TEACHER, "THCS-LQD-TOAN", "toan", L.LOWER_SECONDARY),),
    ),
    DemoUser(
        "demo.tt",
        "Trần Văn Hùng",
        "Tổ trưởng Tổ Toán – Tin – THCS Lê Quý Đôn",
        (
            (Role.TEACHER, "THCS-LQD-TOAN", "toan", L.LOWER_SECONDARY),
            (Role.DEPARTMENT_HEAD, "THCS-LQD-TOAN", "", ""),
        ),
    ),
    DemoUser(
        "demo.ht", "Phạm Thị Hoa", "Hiệu trưởng – THCS Lê Quý Đôn", ((Role.PRINCIPAL, "THCS-LQD", "", ""),)
    ),
    DemoUser(
        "demo.pht",
        "Lê Minh Tuấn",
        "Phó hiệu trưởng – THCS Lê Quý Đôn",
        ((Role.VICE_PRINCIPAL, "THCS-LQD", "", ""),),
    ),
    DemoUser(
        "demo.qtt",
        "Đỗ Thu Trang",
        "Quản trị tài khoản – THCS Lê Quý Đôn",
        (
            (Role.SCHOOL_ADMIN, "THCS-LQD", "", ""),
            (Role.TEACHER, "THCS-LQD-VAN", "ngu-van", L.LOWER_SECONDARY),
        ),
    ),
    DemoUser(
        "demo.gv.van",
        "Vũ Thị Mai",
        "Giáo viên Ngữ văn – THCS Lê Quý Đôn",
        ((Role.TEACHER, "THCS-LQD-VAN", "ngu-van", L.LOWER_SECONDARY),),
    ),
    DemoUser(
        "demo.gv.th",
        "Hoàng Văn Nam",
        "Giáo viên Tiểu học – TH Nguyễn Trãi (quận Lê Chân)",
        ((Role.TEACHER, "TH-NGUYENTRAI-K4", "toan", L.PRIMARY),),
    ),
    DemoUser(
        "demo.gv.thpt",
        "Bùi Thị Ngọc",
        "Giáo viên Địa lí – THPT Trần Phú",
        ((Role.TEACHER, "THPT-TRANPHU-DIA", "dia-li", L.UPPER_SECONDARY),),
    ),
    DemoUser(
        "demo.ht.thpt",
        "Đặng Quốc Bảo",
        "Hiệu trưởng – THPT Trần Phú",
        ((Role.PRINCIPAL, "THPT-TRANPHU", "", ""),),
    ),
    DemoUser(
        "demo.cumtruong",
        "Ngô Thanh Sơn",
        "Cụm trưởng – Cụm trường THPT số 1",
        ((Role.CLUSTER_HEAD, "CUM-THPT1", "", ""), (Role.PRINCIPAL, "PT-HG", "", "")),
    ),
    DemoUser(
        "demo.phong",
        "Trịnh Thu Hà",
        "Chuyên viên Phòng GDĐT Hồng Bàng",
        ((Role.DISTRICT_OFFICER, "PGD-HB", "", ""),),
    ),
    DemoUser(
        "demo.phong.lc",
        "Mai Văn Long",
        "Chuyên viên Phòng GDĐT Lê Chân",
        ((Role.DISTRICT_OFFICER, "PGD-LC", "", ""),),
    ),
    DemoUser(
        "demo.cvso",
        "Lý Thị Thanh",
        "Chuyên viên Sở GDĐT – môn Toán",
        ((Role.CITY_SPECIALIST, "SGD", "toan", ""),),
    ),
    DemoUser("demo.ldso", "Cao Văn Đức", "Lãnh đạo Sở GDĐT", ((Role.CITY_LEADER, "SGD", "", ""),)),
    DemoUser(
        "demo.hdq.ct",
        "Tạ Minh Châu",
        "Chủ tịch Hội đồng bộ môn Toán THCS quận Hồng Bàng",
        ((Role.TEACHER, "THCS-HB-TOAN", "toan", L.LOWER_SECONDARY),),
    ),
    DemoUser(
        "demo.hdq.tv1",
        "Phan Văn Khải",
        "Thành viên Hội đồng Toán THCS quận Hồng Bàng",
        ((Role.TEACHER, "THCS-HB-TOAN", "toan", L.LOWER_SECONDARY),),
    ),
    DemoUser(
        "demo.hdq.tv2",
        "Kiều Thị Yến",
        "Thành viên Hội đồng Toán THCS quận Hồng Bàng",
        ((Role.TEACHER, "PT-HG-TOAN", "toan", L.LOWER_SECONDARY),),
    ),
    DemoUser(
        "demo.hds.ct",
        "Lương Quang Vinh",
        "Chủ tịch Hội đồng bộ môn Toán THCS cấp Sở",
        ((Role.TEACHER, "PT-HG-TOAN", "toan", L.UPPER_SECONDARY),),
    ),
    DemoUser(
        "demo.hds.tv1",
        "Đinh Thị Hạnh",
        "Thành viên Hội đồng Toán cấp Sở",
        ((Role.TEACHER, "THPT-TRANPHU-TOAN", "toan", L.UPPER_SECONDARY),),
    ),
    DemoUser(
        "demo.hds.tv2",
        "Chu Văn Toàn",
        "Thành viên Hội đồng Toán cấp Sở",
        ((Role.TEACHER, "THCS-HB-TOAN", "toan", L.LOWER_SECONDARY),),
    ),
]

# unit code, subject, level, name, chair, members
PANELS = [
    (
        "PGD-HB",
        "toan",
        L.LOWER_SECONDARY,
        "Hội đồng bộ môn Toán THCS quận Hồng Bàng",
        "demo.hdq.ct",
        ["demo.hdq.tv1", "demo.hdq.tv2"],
    ),
    (
        "SGD",
        "toan",
        L.LOWER_SECONDARY,
        "Hội đồng bộ môn Toán THCS – Sở GDĐT",
        "demo.hds.ct",
        ["demo.hds.tv1", "demo.hds.tv2"],
    ),
    (
        "SGD",
        "toan",
        L.UPPER_SECONDARY,
        "Hội đồng bộ môn Toán THPT – Sở GDĐT",
        "demo.hds.ct",
        ["demo.hds.tv1", "demo.hds.tv2"],
    ),
    (
        "SGD",
        "dia-li",
        L.UPPER_SECONDARY,
        "Hội đồng bộ môn Địa lí THPT – Sở GDĐT",
        "demo.hds.ct",
        ["demo.hds.tv1", "demo.hds.tv2"],
    ),
    (
        "CUM-THPT1",
        "dia-li",
        L.UPPER_SECONDARY,
        "Hội đồng bộ môn Địa lí – Cụm THPT số 1",
        "demo.hds.tv1",
        ["demo.hds.tv2", "demo.hdq.tv2"],
    ),
]


@transaction.atomic
def load_demo_city() -> list[DemoUser]:
    """Creates or brings back to its demo state every unit, user, role and panel."""
    load_curriculum(Subject, TextbookSeries)
    subjects = {s.code: s for s in Subject.objects.all()}
    units: dict[str, Unit] = {}
    for code, name, kind, parent, levels, subject_codes in UNITS:
        unit, _created = Unit.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "parent": units.get(parent),
                "levels": [str(x) for x in levels],
                "is_active": True,
            },
        )
        unit.subjects.set([subjects[c] for c in subject_codes])
        units[code] = unit
    users: dict[str, User] = {}
    for demo in USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={"full_name": demo.full_name, "email": f"{demo.username}@example.edu.vn"},
        )
        if created or not user.check_password(DEMO_PASSWORD) or not user.is_active:
            user.set_password(DEMO_PASSWORD)
            user.is_active = True
            user.must_change_password = False
            user.save()
        for role, unit_code, subject_code, level in demo.roles:
            RoleAssignment.objects.get_or_create(
                user=user,
                role=role,
                unit=units[unit_code],
                subject=subjects.get(subject_code),
                school_level=str(level) if level else "",
            )
        users[demo.username] = user
    for unit_code, subject_code, level, name, chair, members in PANELS:
        panel, _created = Panel.objects.update_or_create(
            unit=units[unit_code],
            subject=subjects[subject_code],
            school_level=str(level),
            defaults={"name": name},
        )
        for username in [chair, *members]:
            PanelMembership.objects.update_or_create(
                panel=panel, user=users[username], defaults={"is_chair": username == chair}
            )
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"full_name": "Quản trị hệ thống", "email": "admin@example.edu.vn"}
    )
    if created:
        admin.is_staff = admin.is_superuser = True
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    return USERS
