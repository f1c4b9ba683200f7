"""factory-boy factories for the accounts models. Lectures and review states come from
tests/workflow.py, which calls the real services."""

import factory

from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    """An account with no role; give it roles through `accounts.services.role_grant`."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"gv{n:05d}")
    full_name = factory.Faker("name", locale="vi_VN")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.edu.vn")
    password = factory.django.Password("matkhau-thu-nghiem")
