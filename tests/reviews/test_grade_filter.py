"""The grade filter of the review lists follows the school levels a person works with."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _offered_grades(client, url) -> list[int]:
    html = client.get(url).content.decode()
    select = re.search(r'<select id="f-grade".*?</select>', html, re.S).group(0)
    return [int(v) for v in re.findall(r'<option value="(\d+)"', select)]


@pytest.mark.parametrize(
    ("username", "url", "grades"),
    [
        ("demo.tt", "/reviews/queue/", list(range(6, 10))),  # a lower-secondary department
        ("demo.ht", "/reviews/school/", list(range(6, 10))),  # a lower-secondary school
        ("demo.hds.ct", "/reviews/queue/", list(range(6, 13))),  # city panels of THCS and THPT
        ("demo.ldso", "/reviews/school/", list(range(1, 13))),  # the city sees every level
    ],
)
def test_grade_filter_offers_the_grades_of_the_persons_levels(demo, client, username, url, grades):
    """A lower-secondary department head is offered grades 6–9, not 1–12; the city all twelve."""
    client.force_login(demo.user(username))
    assert _offered_grades(client, url) == grades
