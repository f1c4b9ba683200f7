"""Fixtures every test may use. Data is built through the real services and the demo loader."""

from dataclasses import dataclass

import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Argon2 takes 0.1 s a hash on purpose; tests that check the hasher set it back themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_TMP_ROOT = tmp_path / "media" / "_uploads"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class DemoCity:
    """The demo city's users and units, by username and unit code."""

    users: dict
    units: dict

    def user(self, username):
        return self.users[username]

    def unit(self, code):
        return self.units[code]


@pytest.fixture
def demo(db):
    from accounts.demo import load_demo_city
    from accounts.models import Unit, User

    load_demo_city()
    return DemoCity(
        users={u.username: u for u in User.objects.all()},
        units={u.code: u for u in Unit.objects.all()},
    )
