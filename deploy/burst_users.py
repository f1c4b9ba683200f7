"""The submission-week burst's accounts, made in bulk on the production shape's database:
`burst.gv<n>` teachers of the Toán – Tin department of THCS Lê Quý Đôn and `burst.tt<n>` department
heads of it (who review its submissions), all with the demo password (its hash is copied from
demo.gv: one hash, not hundreds of Argon2 runs). Run again, it adds only the missing ones.

    DATABASE_URL=… python deploy/burst_users.py --teachers 500 --reviewers 100
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def create_burst_users(teachers: int, reviewers: int) -> tuple[list[str], list[str]]:
    from django.db import transaction

    from accounts.models import RoleAssignment, SchoolLevel, Subject, Unit, User

    Role = RoleAssignment.Role
    template = User.objects.get(username="demo.gv")
    department = Unit.objects.get(code="THCS-LQD-TOAN")
    toan = Subject.objects.get(code="toan")
    wanted = {f"burst.gv{n:04d}": ("Giáo viên", Role.TEACHER) for n in range(1, teachers + 1)}
    wanted |= {f"burst.tt{n:04d}": ("Tổ trưởng", Role.DEPARTMENT_HEAD) for n in range(1, reviewers + 1)}
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
