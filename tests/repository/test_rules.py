import pytest

from accounts.demo import USERS
from repository.models import Publication
from repository.rules import (
    can_retract_publication,
    can_view_publication,
    publication_retractable_q,
    publication_visible_q,
)

ALL = {"lqd_v1", "lqd", "hb", "city_retracted", "van_retracted", "nt", "lc", "tp", "cum", "city_dia"}
READ_LQD_TEACHER = {"lqd_v1", "lqd", "hb", "city_dia"}

EXPECTED = {
    # author of the Toán lecture: own school, district, city + own retracted publication
    "demo.gv": READ_LQD_TEACHER | {"city_retracted"},
    "demo.gv.van": READ_LQD_TEACHER | {"van_retracted"},
    "demo.tt": READ_LQD_TEACHER,
    "demo.ht": READ_LQD_TEACHER | {"van_retracted"},
    "demo.pht": READ_LQD_TEACHER | {"van_retracted"},
    "demo.gv.th": {"nt", "lc", "city_dia"},
    "demo.gv.thpt": {"tp", "cum", "city_dia"},
    "demo.ht.thpt": {"tp", "cum", "city_dia"},
    "demo.cumtruong": {"tp", "cum", "city_dia"},
    "demo.phong": {"lqd_v1", "lqd", "hb", "city_dia", "van_retracted"},
    "demo.phong.lc": {"nt", "lc", "city_dia"},
    # the Toán specialist: every Toán publication city-wide, retracted ones too, + city library
    "demo.cvso": {"lqd_v1", "lqd", "hb", "city_retracted", "nt", "lc", "city_dia"},
    "demo.ldso": ALL,
    # district panel members read their school's and their panel's district library
    "demo.hdq.ct": {"hb", "city_dia"},
    "demo.hds.tv1": {"tp", "cum", "city_dia"},  # teaches at THPT Trần Phú
}


@pytest.mark.parametrize("username", [u.username for u in USERS])
def test_predicate_and_queryset_agree_for_every_role(library, demo, username):
    """The queryset returns exactly the publications the predicate allows, in every state."""
    user = demo.user(username)
    by_pred = {name for name, pub in library.pubs.items() if can_view_publication(user, library[name])}
    by_query = {
        name
        for name, pub in library.pubs.items()
        if Publication.objects.filter(publication_visible_q(user), pk=pub.pk).exists()
    }
    assert by_pred == by_query
    if username in EXPECTED:
        assert by_pred == EXPECTED[username]


@pytest.mark.parametrize("username", [u.username for u in USERS])
def test_retract_predicate_and_queryset_agree(library, demo, username):
    """Who may retract: the same answer from the predicate and from its queryset twin."""
    user = demo.user(username)
    by_pred = {name for name in library.pubs if can_retract_publication(user, library[name])}
    by_query = set(
        name
        for name, pub in library.pubs.items()
        if Publication.objects.filter(publication_retractable_q(user), pk=pub.pk).exists()
    )
    assert by_pred == by_query


def test_officers_of_the_scope_retract(library, demo):
    """School: principal and vice principal; district: its officer; cluster: its head; city: leader
    and the subject's specialist. Nobody else, and never an inactive publication."""
    can = lambda who, name: can_retract_publication(demo.user(who), library[name])  # noqa: E731
    assert can("demo.ht", "lqd") and can("demo.pht", "lqd")
    assert not can("demo.tt", "lqd") and not can("demo.gv", "lqd") and not can("demo.phong", "lqd")
    assert can("demo.phong", "hb") and not can("demo.phong.lc", "hb") and not can("demo.ht", "hb")
    assert can("demo.cumtruong", "cum") and not can("demo.cumtruong", "tp")
    assert can("demo.ldso", "city_dia") and not can("demo.cvso", "city_dia")  # Địa lí is not theirs
    assert not can("demo.ht", "lqd_v1")  # superseded
    assert not can("demo.ldso", "city_retracted")  # already retracted


def test_anonymous_sees_nothing(library):
    """A signed-out visitor sees no publication."""
    from django.contrib.auth.models import AnonymousUser

    assert not Publication.objects.filter(publication_visible_q(AnonymousUser())).exists()
    assert not can_view_publication(AnonymousUser(), library["city_dia"])
