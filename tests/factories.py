"""factory-boy factories for the accounts models; each app adds its own in tests/<app>/factories.py."""

import factory

from accounts.models import RoleAssignment, SchoolLevel, Subject, Unit, User


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    kind = Unit.Kind.SCHOOL
    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    levels = factory.LazyAttribute(
        lambda o: [SchoolLevel.LOWER_SECONDARY] if o.kind in ("school", "department") else []
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"gv{n:05d}")
    full_name = factory.Faker("name", locale="vi_VN")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.edu.vn")
    password = factory.django.Password("matkhau-thu-nghiem")


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = RoleAssignment.Role.TEACHER
    unit = factory.SubFactory(UnitFactory, kind=Unit.Kind.DEPARTMENT)
    subject = factory.LazyFunction(lambda: Subject.objects.get(code="toan"))


def make_lecture(
    author, department: Unit, *, subject: str = "toan", grade: int = 6, title: str = "Bài học", **extra
):
    """A lecture of `author` in `department` (the school is the department's parent)."""
    from submissions.models import Lecture

    return Lecture.objects.create(
        author=author,
        school=department.parent,
        department=department,
        subject=Subject.objects.get(code=subject),
        grade=grade,
        school_level=SchoolLevel.for_grade(grade),
        title=title,
        **extra,
    )
