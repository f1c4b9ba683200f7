"""A district with several schools and many approved lectures, built the way users build it: the
units by the admin, roles by `role_grant`, lectures by the workflow's real services."""

from __future__ import annotations

from accounts.models import RoleAssignment, SchoolLevel, Subject, Unit
from accounts.services import role_grant
from tests.factories import UserFactory
from tests.workflow import approve, approved_up_to, submit

Role = RoleAssignment.Role
FORMULA_TITLE = '=HYPERLINK("http://example.com";"Bấm vào đây") Phép cộng'


def new_school(demo, n: int) -> tuple[Unit, Unit, object]:
    """A lower-secondary school of Hồng Bàng with a Toán department, its head and one teacher."""
    admin = demo.user("admin")
    school = Unit.objects.create(
        kind=Unit.Kind.SCHOOL,
        code=f"THCS-HB-{n}",
        name=f"Trường THCS Hồng Bàng số {n}",
        parent=demo.unit("PGD-HB"),
        levels=[SchoolLevel.LOWER_SECONDARY],
    )
    department = Unit.objects.create(
        kind=Unit.Kind.DEPARTMENT,
        code=f"THCS-HB-{n}-TOAN",
        name="Tổ Toán",
        parent=school,
        levels=[SchoolLevel.LOWER_SECONDARY],
    )
    toan = Subject.objects.get(code="toan")
    department.subjects.add(toan)
    principal = UserFactory(username=f"ht.hb{n}")
    role_grant(target=principal, actor=admin, role=Role.PRINCIPAL, unit=school)
    head, teacher = UserFactory(username=f"tt.hb{n}"), UserFactory(username=f"gv.hb{n}")
    for user, role in ((head, Role.DEPARTMENT_HEAD), (teacher, Role.TEACHER)):
        role_grant(
            target=user,
            actor=admin,
            role=role,
            unit=department,
            subject=toan if role == Role.TEACHER else None,
            school_level=SchoolLevel.LOWER_SECONDARY if role == Role.TEACHER else "",
        )
    return school, department, teacher


def district_with_lectures(demo, *, schools: int = 3, per_school: int = 12) -> list:
    """`schools` new schools of Hồng Bàng, each with `per_school` lectures approved at school; the
    first lecture of the first school is also approved by the district panel, and one title
    starts with "=". Returns the approved cases."""
    cases = []
    for n in range(1, schools + 1):
        _school, department, teacher = new_school(demo, n)
        for i in range(per_school):
            title = (
                FORMULA_TITLE
                if (n, i) == (1, 1)
                else f"Bài {i + 1:02d} của trường số {n}: phân số và số thập phân"
            )
            cases.append(approve(submit(teacher, department, title=title, grade=6 + i % 4)))
    approved_up_to(cases[0].version, demo.unit("PGD-HB"))
    return cases


def van_lecture(demo):
    """A Ngữ văn lecture of THCS Lê Quý Đôn approved at school (a subject the specialist does not follow)."""
    return approve(
        submit(
            demo.user("demo.gv.van"), demo.unit("THCS-LQD-VAN"), title="Bài thơ Ngữ văn", subject="ngu-van"
        )
    )
