"""The permission matrix: every role of DESIGN.md section 3 against every scope of work and people.

For each (role, target) the predicate and its queryset twin must agree with the expected
answer, and the user page of an out-of-scope person answers 404.
"""

import pytest

from accounts.models import Panel, PanelMembership, RoleAssignment, SchoolLevel, Subject, Unit, User
from accounts.rules import (
    can_view_unit,
    can_view_user,
    can_view_work,
    unit_visible_q,
    user_visible_q,
    work_visible_by_unit_q,
    work_visible_q,
)
from submissions.models import Lecture

Role = RoleAssignment.Role
ROLES = [
    "teacher",
    "department_head",
    "principal",
    "vice_principal",
    "school_admin",
    "panel_member",
    "panel_chair",
    "cluster_head",
    "district_officer",
    "city_specialist",
    "city_leader",
]
TARGETS = [
    "own",
    "same_department",
    "other_department",
    "same_district",
    "other_district",
    "same_subject_citywide",
    "other_subject",
]
# Where each target's work lives: (department code, subject code).
TARGET_PLACES = {
    "own": ("A", "toan"),
    "same_department": ("A", "toan"),
    "other_department": ("B", "ngu-van"),
    "same_district": ("E", "ngu-van"),
    "other_district": ("F", "ngu-van"),
    "same_subject_citywide": ("G", "toan"),
    "other_subject": ("G", "ngu-van"),
}
ALL = set(TARGETS)
SEES_WORK = {
    "teacher": {"own"},
    "department_head": {"own", "same_department"},
    "principal": {"own", "same_department", "other_department"},
    "vice_principal": {"own", "same_department", "other_department"},
    "school_admin": {"own"},
    "panel_member": {"own"},
    "panel_chair": {"own"},
    "cluster_head": {"own", "same_subject_citywide", "other_subject"},
    "district_officer": {"own", "same_department", "other_department", "same_district"},
    "city_specialist": {"own", "same_department", "same_subject_citywide"},
    "city_leader": ALL,
}
# Seeing a person differs from seeing their work only for the school's account administrator.
SEES_USER = {**SEES_WORK, "school_admin": {"own", "same_department", "other_department"}}


@pytest.fixture
def world(db):
    """City C → district D1 (school S1 with departments A, B; school S2 with E), district D2
    (school S3 with F), and cluster K directly under the city (upper-secondary school S4 with G)."""

    def unit(code, kind, parent=None, level=SchoolLevel.LOWER_SECONDARY):
        return Unit.objects.create(code=code, name=f"Đơn vị {code}", kind=kind, parent=parent, levels=[level])

    units = {"C": unit("C", Unit.Kind.CITY)}
    units["D1"] = unit("D1", Unit.Kind.DISTRICT, units["C"])
    units["D2"] = unit("D2", Unit.Kind.DISTRICT, units["C"])
    units["K"] = unit("K", Unit.Kind.CLUSTER, units["C"])
    units["S1"] = unit("S1", Unit.Kind.SCHOOL, units["D1"])
    units["S2"] = unit("S2", Unit.Kind.SCHOOL, units["D1"])
    units["S3"] = unit("S3", Unit.Kind.SCHOOL, units["D2"])
    units["S4"] = unit("S4", Unit.Kind.SCHOOL, units["K"], SchoolLevel.UPPER_SECONDARY)
    for code, school in [("A", "S1"), ("B", "S1"), ("E", "S2"), ("F", "S3"), ("G", "S4")]:
        units[code] = unit(code, Unit.Kind.DEPARTMENT, units[school], units[school].levels[0])
    subjects = {s.code: s for s in Subject.objects.filter(code__in=["toan", "ngu-van"])}
    return units, subjects


def make_viewer(role, units, subjects) -> User:
    user = User.objects.create_user(username=f"viewer-{role}", full_name=f"Người xem {role}", password="x")
    placement = {
        "teacher": (Role.TEACHER, "A", "toan"),
        "department_head": (Role.DEPARTMENT_HEAD, "A", None),
        "principal": (Role.PRINCIPAL, "S1", None),
        "vice_principal": (Role.VICE_PRINCIPAL, "S1", None),
        "school_admin": (Role.SCHOOL_ADMIN, "S1", None),
        "cluster_head": (Role.CLUSTER_HEAD, "K", None),
        "district_officer": (Role.DISTRICT_OFFICER, "D1", None),
        "city_specialist": (Role.CITY_SPECIALIST, "C", "toan"),
        "city_leader": (Role.CITY_LEADER, "C", None),
    }
    if role in ("panel_member", "panel_chair"):
        # A core teacher of school S2 sitting on the district panel.
        RoleAssignment.objects.create(user=user, role=Role.TEACHER, unit=units["E"], subject=subjects["toan"])
        panel = Panel.objects.create(
            unit=units["D1"],
            subject=subjects["toan"],
            school_level=SchoolLevel.LOWER_SECONDARY,
            name="Hội đồng Toán",
        )
        PanelMembership.objects.create(panel=panel, user=user, is_chair=role == "panel_chair")
    else:
        role_value, unit_code, subject_code = placement[role]
        RoleAssignment.objects.create(
            user=user, role=role_value, unit=units[unit_code], subject=subjects.get(subject_code)
        )
    return user


def make_target(name, viewer, units, subjects):
    department_code, subject_code = TARGET_PLACES[name]
    department = units[department_code]
    if name == "own":
        author = viewer
    else:
        author = User.objects.create_user(
            username=f"author-{name}", full_name=f"Tác giả {name}", password="x"
        )
        RoleAssignment.objects.create(
            user=author, role=Role.TEACHER, unit=department, subject=subjects[subject_code]
        )
    lecture = Lecture.objects.create(
        author=author,
        school=department.parent,
        department=department,
        subject=subjects[subject_code],
        grade=7 if department.levels[0] == SchoolLevel.LOWER_SECONDARY else 11,
        school_level=department.levels[0],
        title=f"Bài giảng {name}",
    )
    return author, lecture


@pytest.mark.parametrize("role", ROLES)
def test_work_and_people_predicates_agree_with_querysets(role, world, client):
    """Each role sees exactly the work and people of its scope, by predicate, queryset and URL."""
    units, subjects = world
    viewer = make_viewer(role, units, subjects)
    targets = {name: make_target(name, viewer, units, subjects) for name in TARGETS}
    visible_lectures = set(Lecture.objects.filter(work_visible_q(viewer)).values_list("pk", flat=True))
    # The unit case list's form of the filter (unit ids from a subquery) reaches the same lectures;
    # with own=False (for a list that leaves the viewer's own work out) the same others.
    by_unit = set(Lecture.objects.filter(work_visible_by_unit_q(viewer)).values_list("pk", flat=True))
    assert by_unit == visible_lectures
    others = Lecture.objects.filter(work_visible_by_unit_q(viewer, own=False)).exclude(author=viewer)
    assert set(others.values_list("pk", flat=True)) == set(
        Lecture.objects.filter(work_visible_q(viewer)).exclude(author=viewer).values_list("pk", flat=True)
    )
    visible_users = set(User.objects.filter(user_visible_q(viewer)).values_list("pk", flat=True))
    client.force_login(viewer)
    for name, (author, lecture) in targets.items():
        expected_work = name in SEES_WORK[role]
        by_rule = can_view_work(
            viewer,
            author_id=lecture.author_id,
            unit_path=lecture.department.path,
            subject_id=lecture.subject_id,
        )
        assert by_rule == expected_work, f"{role} → work {name}: predicate says {by_rule}"
        assert (lecture.pk in visible_lectures) == expected_work, f"{role} → work {name}: queryset disagrees"

        expected_user = name in SEES_USER[role]
        viewer = User.objects.get(pk=viewer.pk)  # a fresh object: no cached scope
        assert can_view_user(viewer, author) == expected_user, f"{role} → user {name}: predicate"
        assert (author.pk in visible_users) == expected_user, f"{role} → user {name}: queryset disagrees"
        response = client.get(f"/accounts/users/{author.pk}/")
        assert response.status_code == (200 if expected_user else 404), f"{role} → /accounts/users/ of {name}"


@pytest.mark.parametrize("role", ROLES)
def test_unit_predicate_agrees_with_queryset(role, world):
    """The units a role sees are the same through `can_view_unit` and `unit_visible_q`."""
    units, subjects = world
    viewer = make_viewer(role, units, subjects)
    by_query = set(Unit.objects.filter(unit_visible_q(viewer)).values_list("code", flat=True))
    by_rule = {unit.code for unit in Unit.objects.all() if can_view_unit(viewer, unit)}
    assert by_query == by_rule
    # Everyone sees the city: its library is everyone's.
    assert "C" in by_rule


def test_anonymous_sees_nothing(world):
    """A signed-out visitor sees no work, no person and no unit."""
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not Lecture.objects.filter(work_visible_q(anonymous)).exists()
    assert not User.objects.filter(user_visible_q(anonymous)).exists()
    assert not Unit.objects.filter(unit_visible_q(anonymous)).exists()


def test_deactivated_unit_grants_nothing(world):
    """A role in a deactivated unit no longer widens what its holder sees."""
    units, subjects = world
    viewer = make_viewer("district_officer", units, subjects)
    _author, lecture = make_target("same_district", viewer, units, subjects)
    Unit.objects.filter(pk=units["D1"].pk).update(is_active=False)
    viewer = User.objects.get(pk=viewer.pk)
    assert not Lecture.objects.filter(work_visible_q(viewer), pk=lecture.pk).exists()


def test_user_list_shows_roles_and_units_in_a_fixed_number_of_queries(demo, client):
    """The people list names each person's roles and units, with the same number of queries for
    ten people as for the whole demo school (roles prefetched, not fetched per row)."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.services import role_grant
    from tests.factories import UserFactory

    client.force_login(demo.user("demo.qtt"))
    client.get("/accounts/users/")  # the bell's count is kept in the cache: both views read it there
    with CaptureQueriesContext(connection) as before:
        page = client.get("/accounts/users/").content.decode()
    assert "Tổ trưởng chuyên môn" in page and "Tổ Toán – Tin" in page
    row = re.search(r"<tr[^>]*>\s*<td[^>]*><a [^>]*><code>demo\.gv</code>.*?</tr>", page, re.S).group(0)
    assert "Giáo viên (Toán)" in row and "Tổ Toán – Tin" in row
    for n in range(10):
        role_grant(
            target=UserFactory(username=f"gvthem{n}"),
            actor=demo.user("admin"),
            role="teacher",
            unit=demo.unit("THCS-LQD-TOAN"),
        )
    with CaptureQueriesContext(connection) as after:
        client.get("/accounts/users/")
    assert len(after.captured_queries) == len(before.captured_queries)
