import datetime

import pytest

from repository.models import Publication
from tests.repository.conftest import library  # noqa: F401 - the library fixture, shared

UTC = datetime.UTC


@pytest.fixture(autouse=True)
def _rubric(db):
    """The city's rubric, which a flushed database (transactional tests) lost."""
    from reviews.models import Criterion, Rubric
    from reviews.rubrics import rubric_ensure_default

    rubric_ensure_default(Rubric, Criterion)


@pytest.fixture
def harvest(library):  # noqa: F811
    """The demo library with fixed dates: the Toán 6 lecture published at the city on 10/01/2026
    and retracted on 15/02/2026 (a deleted record); the Địa lí 10 lecture published at the city on
    01/03/2026 (live). District publications (Hồng Bàng, Lê Chân) on 05/01/2026."""
    dates = {
        "city_retracted": (
            datetime.datetime(2026, 1, 10, 8, tzinfo=UTC),
            datetime.datetime(2026, 2, 15, 8, tzinfo=UTC),
        ),
        "city_dia": (datetime.datetime(2026, 3, 1, 8, tzinfo=UTC), None),
        "hb": (datetime.datetime(2026, 1, 5, 8, tzinfo=UTC), None),
        "lc": (datetime.datetime(2026, 1, 5, 9, tzinfo=UTC), None),
    }
    for name, (published, retracted) in dates.items():
        Publication.objects.filter(pk=library.pubs[name].pk).update(
            published_at=published, retracted_at=retracted
        )
    return library
