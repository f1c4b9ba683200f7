"""The organisation of `load_city`: the unit tree (paths computed here, since bulk_create skips
`Unit.save`), the people with their role assignments, and the subject panels."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from accounts.models import Panel, PanelMembership, RoleAssignment, SchoolLevel, Subject, Unit, User

from . import words
from .bulk import insert, insert_rows, on_postgres, reserve_ids
from .plan import Plan

Role = RoleAssignment.Role
L = SchoolLevel
USERNAME_PREFIX = "city."
EMAIL_DOMAIN = "example.edu.vn"

# Eight departments per school level: name, subjects, the grade it teaches (primary "khối").
DEPARTMENTS = {
    L.PRIMARY: [
        ("Tổ khối 1", ["tieng-viet", "toan", "dao-duc", "tu-nhien-xa-hoi"], 1),
        ("Tổ khối 2", ["tieng-viet", "toan", "dao-duc", "tu-nhien-xa-hoi"], 2),
        ("Tổ khối 3", ["tieng-viet", "toan", "tu-nhien-xa-hoi", "tin-hoc-cong-nghe"], 3),
        ("Tổ khối 4", ["tieng-viet", "toan", "khoa-hoc", "lich-su-dia-li"], 4),
        ("Tổ khối 5", ["tieng-viet", "toan", "khoa-hoc", "lich-su-dia-li"], 5),
        ("Tổ Tiếng Anh", ["tieng-anh"], None),
        ("Tổ Năng khiếu", ["am-nhac", "mi-thuat", "giao-duc-the-chat"], None),
        ("Tổ Hoạt động trải nghiệm", ["hoat-dong-trai-nghiem", "giao-duc-dia-phuong"], None),
    ],
    L.LOWER_SECONDARY: [
        ("Tổ Toán – Tin", ["toan", "tin-hoc"], None),
        ("Tổ Ngữ văn", ["ngu-van", "giao-duc-dia-phuong"], None),
        ("Tổ Khoa học tự nhiên", ["khoa-hoc-tu-nhien"], None),
        ("Tổ Lịch sử và Địa lí – GDCD", ["lich-su-dia-li", "giao-duc-cong-dan"], None),
        ("Tổ Tiếng Anh", ["tieng-anh"], None),
        ("Tổ Công nghệ", ["cong-nghe"], None),
        ("Tổ Nghệ thuật", ["am-nhac", "mi-thuat"], None),
        ("Tổ Thể chất – Trải nghiệm", ["giao-duc-the-chat", "hoat-dong-trai-nghiem"], None),
    ],
    L.UPPER_SECONDARY: [
        ("Tổ Toán", ["toan"], None),
        ("Tổ Ngữ văn", ["ngu-van", "giao-duc-dia-phuong"], None),
        ("Tổ Vật lí – Hoá học", ["vat-li", "hoa-hoc"], None),
        ("Tổ Sinh học – Công nghệ", ["sinh-hoc", "cong-nghe"], None),
        ("Tổ Lịch sử – Địa lí – GDKT&PL", ["lich-su", "dia-li", "giao-duc-kinh-te-phap-luat"], None),
        ("Tổ Tiếng Anh", ["tieng-anh"], None),
        ("Tổ Tin học", ["tin-hoc"], None),
        ("Tổ Thể chất – Quốc phòng", ["giao-duc-the-chat", "giao-duc-quoc-phong-an-ninh"], None),
    ],
}
SCHOOL_PREFIX = {L.PRIMARY: ("TH", "Trường Tiểu học"), L.LOWER_SECONDARY: ("THCS", "Trường THCS"),
                 L.UPPER_SECONDARY: ("THPT", "Trường THPT")}  # fmt: skip


@dataclass
class Department:
    unit: Unit
    school: School
    subjects: list[Subject]
    grade: int | None
    head: User | None = None
    teachers: list[tuple[User, Subject]] = field(default_factory=list)


@dataclass
class School:
    unit: Unit
    level: str
    above: Unit  # the district (primary, lower secondary) or the cluster (upper secondary)
    principal: User | None = None
    departments: list[Department] = field(default_factory=list)


@dataclass
class City:
    """What the lecture stage needs to know of the organisation, all in memory."""

    root: Unit
    schools: list[School]
    departments: list[Department]
    officers: dict[int, list[User]]  # district / cluster id → officers / cluster head
    panels: dict[tuple[int, int, str], tuple[Panel, User, list[User]]]  # (unit, subject, level)
    users: list[User]


def _units(objs: list[Unit], parents: dict[int, Unit]) -> list[Unit]:
    """Inserts one tier of the tree, then writes the paths the model's save() would have."""
    if on_postgres():  # the ids are known before the insert: the paths go in with the rows
        first = reserve_ids(Unit, len(objs))
        for i, unit in enumerate(objs):
            unit.pk = first + i
    else:
        insert(Unit, objs)
    for unit in objs:
        parent = parents.get(unit.parent_id) if unit.parent_id else None
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    if on_postgres():
        insert(Unit, objs)
    else:
        Unit.objects.bulk_update(objs, ["path"], batch_size=1000)
    return objs


def build_units(plan: Plan, subjects: dict[str, Subject], rnd: random.Random) -> tuple[Unit, list[School]]:
    root = _units([Unit(kind=Unit.Kind.CITY, code="C-SGD", name="Sở Giáo dục và Đào tạo thành phố")], {})[0]
    tier = {root.pk: root}
    districts = _units(
        [
            Unit(
                kind=Unit.Kind.DISTRICT,
                code=f"C-PGD-{i + 1:02d}",
                name=f"Phòng GDĐT {words.DISTRICTS[i % 15]}{'' if i < 15 else f' {i // 15 + 1}'}",
                parent=root,
            )
            for i in range(plan.districts)
        ],
        tier,
    )
    clusters = _units(
        [
            Unit(
                kind=Unit.Kind.CLUSTER,
                code=f"C-CUM-{i + 1:02d}",
                name=f"Cụm trường THPT số {i + 1}",
                parent=root,
            )
            for i in range(plan.clusters)
        ],
        tier,
    )
    tier = {u.pk: u for u in districts + clusters}
    specs = (
        [(L.PRIMARY, i) for i in range(plan.primary_schools)]
        + [(L.LOWER_SECONDARY, i) for i in range(plan.lower_schools)]
        + [(L.UPPER_SECONDARY, i) for i in range(plan.upper_schools)]
    )
    schools: list[School] = []
    for n, (level, i) in enumerate(specs):
        above = clusters[i % len(clusters)] if level == L.UPPER_SECONDARY else districts[i % len(districts)]
        code, kind_name = SCHOOL_PREFIX[level]
        namesake = words.NAMESAKES[i % len(words.NAMESAKES)]
        # A school is named after its district (any for upper-secondary schools under a cluster);
        # a name that comes round again gets a number.
        place = (
            above.name.removeprefix("Phòng GDĐT ")
            if above.kind == Unit.Kind.DISTRICT
            else words.DISTRICTS[i % 15]
        )
        repeat = i // math.lcm(len(words.NAMESAKES), 15)
        namesake += f" số {repeat + 1}" if repeat else ""
        unit = Unit(
            kind=Unit.Kind.SCHOOL,
            code=f"C-{code}-{n + 1:04d}",
            name=f"{kind_name} {namesake} – {place}",
            parent=above,
            levels=[str(level)],
        )
        schools.append(School(unit=unit, level=str(level), above=above))
    _units([s.unit for s in schools], tier)
    departments: list[Department] = []
    for school in schools:
        for k, (name, codes, grade) in enumerate(DEPARTMENTS[school.level]):
            taught = [
                subjects[c]
                for c in codes
                if c in subjects and any(SchoolLevel.for_grade(g) == school.level for g in subjects[c].grades)
            ]
            unit = Unit(
                kind=Unit.Kind.DEPARTMENT,
                code=f"{school.unit.code}-T{k + 1}",
                name=name,
                parent=school.unit,
                levels=[school.level],
            )
            department = Department(unit=unit, school=school, subjects=taught, grade=grade)
            school.departments.append(department)
            departments.append(department)
    _units([d.unit for d in departments], {s.unit.pk: s.unit for s in schools})
    through = Unit.subjects.through
    insert_rows(
        through, ["unit_id", "subject_id"], [(d.unit.pk, s.pk) for d in departments for s in d.subjects]
    )
    return root, schools


class People:
    """Makes users one by one in memory (all with the same password hash), then inserts them."""

    def __init__(self, rnd: random.Random, password_hash: str):
        self.rnd, self.password_hash = rnd, password_hash
        self.users: list[User] = []
        self.roles: list[tuple[User, str, Unit, Subject | None, str]] = []
        self.counters: dict[str, int] = {}

    def new(self, tag: str, role: str, unit: Unit, subject=None, level: str = "") -> User:
        n = self.counters[tag] = self.counters.get(tag, 0) + 1
        username = f"{USERNAME_PREFIX}{tag}{n}"
        user = User(
            username=username,
            full_name=words.full_name(self.rnd),
            email=f"{username}@{EMAIL_DOMAIN}",
            password=self.password_hash,
        )
        self.users.append(user)
        self.roles.append((user, role, unit, subject, level))
        return user

    def save(self) -> None:
        insert(User, self.users)
        insert(
            RoleAssignment,
            [
                RoleAssignment(user=u, role=role, unit=unit, subject=subject, school_level=level)
                for u, role, unit, subject, level in self.roles
            ],
        )


def build_people(
    plan: Plan, root: Unit, schools: list[School], subjects: dict[str, Subject], rnd, password_hash
):
    people = People(rnd, password_hash)
    for _ in range(plan.CITY_LEADERS):
        people.new("ldso", Role.CITY_LEADER, root)
    for subject in subjects.values():
        people.new("cvso", Role.CITY_SPECIALIST, root, subject)
    officers: dict[int, list[User]] = {}
    for above in {s.above.pk: s.above for s in schools}.values():
        if above.kind == Unit.Kind.DISTRICT:
            officers[above.pk] = [people.new("phong", Role.DISTRICT_OFFICER, above) for _ in range(3)]
        else:
            officers[above.pk] = [people.new("cum", Role.CLUSTER_HEAD, above)]
    for school in schools:
        school.principal = people.new("ht", Role.PRINCIPAL, school.unit)
        people.new("pht", Role.VICE_PRINCIPAL, school.unit)
        people.new("qtt", Role.SCHOOL_ADMIN, school.unit)
    departments = [d for s in schools for d in s.departments]
    teachers = plan.users - len(people.users)
    base, extra = divmod(teachers, len(departments))
    for i, department in enumerate(departments):
        for k in range(base + (1 if i < extra else 0)):
            subject = department.subjects[k % len(department.subjects)]
            user = people.new("gv", Role.TEACHER, department.unit, subject, department.school.level)
            department.teachers.append((user, subject))
        department.head = department.teachers[0][0]
        people.roles.append((department.head, Role.DEPARTMENT_HEAD, department.unit, None, ""))
    people.save()
    return people.users, officers


def build_panels(root: Unit, schools: list[School], subjects: dict[str, Subject], rnd: random.Random):
    """A panel per district × subject × level (primary, lower secondary), per cluster × subject
    (upper secondary) and per city × subject × level, each with a chair and up to four members
    who teach the subject at that level under the panel's unit."""
    pool: dict[tuple[int, int, str], list[User]] = {}
    for school in schools:
        for department in school.departments:
            for user, subject in department.teachers:
                for unit_id in (school.above.pk, root.pk):
                    pool.setdefault((unit_id, subject.pk, school.level), []).append(user)
    panels, members = [], []
    for (unit_id, subject_id, level), people in sorted(pool.items()):
        unit = root if unit_id == root.pk else next(s.above for s in schools if s.above.pk == unit_id)
        subject = next(s for s in subjects.values() if s.pk == subject_id)
        chosen = rnd.sample(people, min(5, len(people)))
        panel = Panel(
            unit=unit,
            subject=subject,
            school_level=level,
            name=f"Hội đồng bộ môn {subject.name} {SCHOOL_PREFIX[level][0]} – {unit.name}",
        )
        panels.append((panel, chosen))
    insert(Panel, [p for p, _ in panels])
    for panel, chosen in panels:
        members += [PanelMembership(panel=panel, user=u, is_chair=i == 0) for i, u in enumerate(chosen)]
    insert(PanelMembership, members)
    return {(p.unit_id, p.subject_id, p.school_level): (p, chosen[0], chosen) for p, chosen in panels}


def build_city(plan: Plan, rnd: random.Random, password_hash: str) -> City:
    subjects = {s.code: s for s in Subject.objects.all()}
    root, schools = build_units(plan, subjects, rnd)
    users, officers = build_people(plan, root, schools, subjects, rnd, password_hash)
    panels = build_panels(root, schools, subjects, rnd)
    departments = [d for s in schools for d in s.departments]
    return City(
        root=root, schools=schools, departments=departments, officers=officers, panels=panels, users=users
    )
