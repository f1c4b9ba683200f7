"""The submission-week burst's accounts, made in bulk on the production shape's database:
one mathematics department a reviewer ("Tổ Toán <n>"), five to a school of the demo district
("Trường THCS thử tải <m>"), `burst.tt<n>` its head (who reviews its submissions, as every
department has one), and the `burst.gv<n>` teachers shared out among the departments (500
teachers, 100 departments, 20 schools: 5 teachers a department, 30 staff a school), all with the
demo password (its hash is copied from demo.gv: one hash, not hundreds of Argon2 runs). Run
again, it adds only the missing ones.

The first shape put every teacher in one department of one school under 100 heads: each
submission notified 100 people (28,000 e-mails from the worker in one burst) and each lecture
form listed 600 colleagues as possible co-authors; no school works that way.

    DATABASE_URL=… python deploy/burst_users.py --teachers 500 --reviewers 100
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


DEPARTMENTS_A_SCHOOL = 5


def create_burst_users(teachers: int, reviewers: int) -> tuple[list[str], list[str]]:
    from django.db import transaction

    from accounts.models import RoleAssignment, SchoolLevel, Subject, Unit, User

    Role = RoleAssignment.Role
    template = User.objects.get(username="demo.gv")
    district = Unit.objects.get(code="PGD-HB")
    toan = Subject.objects.get(code="toan")

    def unit(kind, code, name, parent):  # a lower-secondary unit, made once
        return Unit.objects.filter(code=code).first() or Unit.objects.create(
            kind=kind, code=code, name=name, parent=parent, levels=[SchoolLevel.LOWER_SECONDARY]
        )

    departments = []
    for n in range(1, max(reviewers, 1) + 1):
        number = (n - 1) // DEPARTMENTS_A_SCHOOL + 1
        school = unit(
            Unit.Kind.SCHOOL, f"BURST-THCS-{number:02d}", f"Trường THCS thử tải {number:02d}", district
        )
        department = unit(Unit.Kind.DEPARTMENT, f"BURST-TOAN-{n:03d}", f"Tổ Toán {n:03d}", school)
        department.subjects.add(toan)  # what its teachers may choose on the lecture form
        departments.append(department)
    wanted = {f"burst.gv{n:04d}": ("Giáo viên", Role.TEACHER) for n in range(1, teachers + 1)}
    wanted |= {f"burst.tt{n:04d}": ("Tổ trưởng", Role.DEPARTMENT_HEAD) for n in range(1, reviewers + 1)}

    def department_of(name: str):  # teacher n → department (n - 1) mod d; head n → department n
        number = int(name[-4:])
        return departments[(number - 1) % len(departments)]

    with transaction.atomic():
        existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        User.objects.bulk_create(
            [
                User(
                    username=name,
                    full_name=f"{label} thử tải {name[-4:]}",
                    email=f"{name}@example.edu.vn",
                    password=template.password,
                    is_active=True,
                )
                for name, (label, _role) in wanted.items()
                if name not in existing
            ],
            batch_size=1000,
        )
        ids = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
        roles = []
        for name, (_label, role) in wanted.items():
            if name in existing:
                continue
            department = department_of(name)
            roles.append(
                RoleAssignment(
                    user_id=ids[name],
                    role=role,
                    unit=department,
                    subject=toan if role == Role.TEACHER else None,
                    school_level=SchoolLevel.LOWER_SECONDARY if role == Role.TEACHER else "",
                )
            )
            if role == Role.DEPARTMENT_HEAD:  # a head teaches in the department too, as demo.tt does
                roles.append(
                    RoleAssignment(
                        user_id=ids[name],
                        role=Role.TEACHER,
                        unit=department,
                        subject=toan,
                        school_level=SchoolLevel.LOWER_SECONDARY,
                    )
                )
        RoleAssignment.objects.bulk_create(roles, batch_size=1000)
    return (
        [n for n, (_l, r) in wanted.items() if r == Role.TEACHER],
        [n for n, (_l, r) in wanted.items() if r == Role.DEPARTMENT_HEAD],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teachers", type=int, default=500)
    parser.add_argument("--reviewers", type=int, default=100)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elearning.settings")
    import django

    django.setup()
    teachers, reviewers = create_burst_users(args.teachers, args.reviewers)
    print(f"{len(teachers)} teachers, {len(reviewers)} reviewers ready")


if __name__ == "__main__":
    main()
