"""Fixtures of the submissions tests: the demo city, an open window, a draft lecture, uploads."""

import datetime
import hashlib
from pathlib import Path

import pytest
from django.utils import timezone

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"  # copies of ../shared/fixtures (ATTRIBUTION.md)


def fixture_file(relative: str) -> Path:
    path = FIXTURES / relative
    assert path.exists(), f"missing fixture {path}"
    return path


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def year(db):
    from submissions import services

    return services.academic_year_ensure(name="2026-2027")


@pytest.fixture
def open_window(year):
    """The make-up week of semester I is this week; the other two windows lie ahead or behind."""
    from submissions import services

    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    services.windows_create_standard(year=year, makeup1=monday, makeup2=monday + datetime.timedelta(weeks=20))
    return year.windows.get(slot="makeup_1")


@pytest.fixture
def closed_calendar(year):
    """No window contains today; the next one opens on the Monday three weeks from now."""
    from submissions import services

    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    services.windows_create_standard(
        year=year,
        makeup1=monday + datetime.timedelta(weeks=3),
        makeup2=monday + datetime.timedelta(weeks=20),
    )
    return year.windows.get(slot="makeup_1")


@pytest.fixture
def teacher(demo):
    return demo.user("demo.gv")


@pytest.fixture
def make_lecture(demo):
    """demo.gv's Toán lecture in THCS-LQD-TOAN by default (`tests.workflow.make_lecture`)."""
    from tests.workflow import make_lecture as workflow_make_lecture

    def make(author=None, title="Bài 1. Tập hợp", grade=6, **extra):
        return workflow_make_lecture(
            author or demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), grade=grade, title=title, **extra
        )

    return make


@pytest.fixture
def lecture(make_lecture):
    return make_lecture()


def attach_fixture(version, actor, relative, django_capture_on_commit_callbacks):
    """Puts a real file into storage and attaches it as the upload back ends do; runs the check."""
    from django.core.files import File
    from django.core.files.storage import default_storage

    from submissions import services, uploads

    path = fixture_file(relative) if not isinstance(relative, Path) else relative
    with open(path, "rb") as fh:
        key = default_storage.save(uploads.new_key(user_id=actor.pk, filename=path.name), File(fh))
    with django_capture_on_commit_callbacks(execute=True):
        services.version_attach_file(
            version=version, actor=actor, key=key, original_name=path.name, size=path.stat().st_size
        )
    version.refresh_from_db()
    return version
