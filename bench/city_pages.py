"""The pages `bench_city.py` measures and the loaded city's user it measures each role with.

Runs in-process (django.setup done by the caller) against the same database as the server.
Users are picked from what `load_city` made, the busiest of their kind where it matters (the
department head with the most cases waiting, the chair of the city panel with the most cases…).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db.models import Count, Q

from accounts.demo import DEMO_PASSWORD
from accounts.models import Panel, PanelMembership, RoleAssignment, Subject, Unit, User
from reviews.models import CaseState, PanelAssignment, ReviewCase

Role = RoleAssignment.Role
ADMIN_USERNAME = "city.bench.admin"
SEARCH = "phan so"
# The admin changelist compared with each page: the same table, searched for the same words.
ADMIN_URLS = {
    "lecture": "/admin/submissions/lecture/?q=phan+so",
    "publication": "/admin/repository/publication/?q=phan+so",
    "case": "/__bench__/admin/reviews/reviewcase/?q=phan+so",
}


@dataclass(frozen=True)
class Page:
    role: str
    name: str
    url: str
    admin: str  # a key of ADMIN_URLS

    @property
    def key(self) -> str:
        return f"{self.role} | {self.name}"


def _first(qs):
    user = qs.order_by("pk").first()
    if user is None:
        raise SystemExit(f"No user for {qs.query}: is the city loaded (manage.py load_city)?")
    return user


def _busiest_chair(kind: str) -> User:
    panel = (
        Panel.objects.filter(unit__kind=kind)
        .annotate(waiting=Count("cases", filter=Q(cases__state=CaseState.IN_REVIEW)))
        .order_by("-waiting", "pk")
        .first()
    )
    return PanelMembership.objects.get(panel=panel, is_chair=True).user


def pick_users() -> dict[str, User]:
    """One user per role, and the bench's superuser for the admin (made here if missing)."""
    heads = RoleAssignment.objects.filter(role=Role.DEPARTMENT_HEAD).values("user_id")
    chairs_and_members = PanelMembership.objects.values("user_id")
    teachers = (
        User.objects.filter(username__startswith="city.", roles__role=Role.TEACHER)
        .annotate(n=Count("lectures"))
        .filter(n__gte=1)
    )
    # A plain teacher (no other role, on no panel) with a few lectures; on a tiny city, any author.
    plain = teachers.exclude(pk__in=heads).exclude(pk__in=chairs_and_members).filter(n__gte=3)
    teacher = plain.order_by("pk").first() or _first(teachers)
    school = teacher.lectures.first().school
    busiest_department = (
        ReviewCase.objects.filter(state=CaseState.IN_REVIEW, unit__kind=Unit.Kind.DEPARTMENT)
        .values("unit")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit")
        .first()
    )
    head = RoleAssignment.objects.get(role=Role.DEPARTMENT_HEAD, unit_id=busiest_department["unit"]).user
    member = (
        PanelAssignment.objects.filter(case__state=CaseState.IN_REVIEW)
        .values("member")
        .annotate(n=Count("pk"))
        .order_by("-n", "member")
        .first()
    )
    school_role = RoleAssignment.objects.filter(unit=school)
    users = {
        "teacher": teacher,
        "department_head": head,
        "principal": school_role.get(role=Role.PRINCIPAL).user,
        "vice_principal": school_role.get(role=Role.VICE_PRINCIPAL).user,
        "school_admin": school_role.get(role=Role.SCHOOL_ADMIN).user,
        "panel_chair_district": _busiest_chair(Unit.Kind.DISTRICT),
        "panel_chair_city": _busiest_chair(Unit.Kind.CITY),
        "panel_member": User.objects.get(pk=member["member"]),
        "district_officer": _first(User.objects.filter(roles__role=Role.DISTRICT_OFFICER)),
        "cluster_head": _first(User.objects.filter(roles__role=Role.CLUSTER_HEAD)),
        "city_specialist": _first(
            User.objects.filter(roles__role=Role.CITY_SPECIALIST, roles__subject__code="toan")
        ),
        "city_leader": _first(User.objects.filter(roles__role=Role.CITY_LEADER)),
    }
    admin, _created = User.objects.get_or_create(
        username=ADMIN_USERNAME,
        defaults={
            "full_name": "Quản trị (đo tốc độ)",
            "email": f"{ADMIN_USERNAME}@example.edu.vn",
            "is_staff": True,
            "is_superuser": True,
            "password": make_password(DEMO_PASSWORD),
        },
    )
    users["admin"] = admin
    return users


def pages(users: dict[str, User]) -> list[Page]:
    toan = Subject.objects.get(code="toan")
    school = users["teacher"].lectures.first().school
    district = (
        RoleAssignment.objects.filter(role=Role.DISTRICT_OFFICER, user=users["district_officer"]).first().unit
    )
    city = Unit.objects.get(code="C-SGD")
    search = f"/library/?q=phan+so&subject={toan.pk}&school_level=lower_secondary"
    table = [
        ("teacher", "home", "/", "lecture"),
        ("teacher", "my lectures", "/lectures/", "lecture"),
        ("teacher", "library first page", "/library/", "publication"),
        ("teacher", "library search + 2 filters", search, "publication"),
        ("teacher", "professional records", "/records/", "case"),
        ("department_head", "home", "/", "lecture"),
        ("department_head", "queue", "/reviews/queue/", "case"),
        ("principal", "home", "/", "lecture"),
        ("principal", "queue", "/reviews/queue/", "case"),
        ("principal", "unit case list", "/reviews/school/", "case"),
        ("principal", "library first page", "/library/", "publication"),
        ("principal", "library search + 2 filters", search, "publication"),
        ("principal", "coverage (school)", f"/library/coverage/{school.pk}/", "publication"),
        ("principal", "approved list", "/reports/approved/", "publication"),
        ("principal", "dashboard (school)", f"/reports/dashboard/{school.pk}/", "case"),
        ("principal", "records inspection", "/records/school/", "case"),
        ("vice_principal", "home", "/", "lecture"),
        ("school_admin", "home", "/", "lecture"),
        ("school_admin", "lectures", "/lectures/", "lecture"),
        ("panel_chair_district", "home", "/", "lecture"),
        ("panel_chair_district", "queue", "/reviews/queue/", "case"),
        ("panel_chair_city", "home", "/", "lecture"),
        ("panel_chair_city", "queue", "/reviews/queue/", "case"),
        ("panel_member", "assigned cases", "/reviews/assigned/", "case"),
        ("district_officer", "home", "/", "lecture"),
        ("district_officer", "unit case list", "/reviews/school/", "case"),
        ("district_officer", "library first page", "/library/", "publication"),
        ("district_officer", "coverage (district)", f"/library/coverage/{district.pk}/", "publication"),
        ("district_officer", "approved list", "/reports/approved/", "publication"),
        ("district_officer", "dashboard (district)", f"/reports/dashboard/{district.pk}/", "case"),
        ("district_officer", "semester reports", "/reports/semester/", "case"),
        ("cluster_head", "home", "/", "lecture"),
        ("city_specialist", "home", "/", "lecture"),
        ("city_specialist", "library search + 2 filters", search, "publication"),
        ("city_leader", "home", "/", "lecture"),
        ("city_leader", "unit case list", "/reviews/school/", "case"),
        ("city_leader", "library first page", "/library/", "publication"),
        ("city_leader", "coverage (city)", f"/library/coverage/{city.pk}/", "publication"),
        ("city_leader", "approved list", "/reports/approved/", "publication"),
        ("city_leader", "dashboard (city)", f"/reports/dashboard/{city.pk}/", "case"),
    ]
    return [Page(*row) for row in table]
