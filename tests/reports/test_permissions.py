"""Who may inspect which unit's list (reports.rules): allowed users get 200, every other demo role 404;
the predicates agree with their queryset twins; a city specialist sees only their subject."""

import pytest
from django.urls import reverse

from accounts.models import Unit, User
from reports.rules import approved_rows_q, can_inspect_unit, can_see_row, inspectable_units_q
from repository.models import Publication
from tests.reports.builders import van_lecture
from tests.workflow import approve, submit

pytestmark = pytest.mark.django_db

UNITS = ["SGD", "PGD-HB", "PGD-LC", "CUM-THPT1", "THCS-LQD", "THPT-TRANPHU", "TH-NGUYENTRAI"]
ALLOWED = {
    "demo.ldso": set(UNITS),
    "demo.cvso": set(UNITS),
    "demo.phong": {"PGD-HB", "THCS-LQD"},
    "demo.phong.lc": {"PGD-LC", "TH-NGUYENTRAI"},
    "demo.ht": {"THCS-LQD"},
    "demo.pht": {"THCS-LQD"},
    "demo.ht.thpt": {"THPT-TRANPHU"},
    "demo.cumtruong": {"CUM-THPT1", "THPT-TRANPHU"},
}


def demo_usernames(demo):
    return sorted(name for name in demo.users if name.startswith("demo."))


def test_each_role_inspects_only_the_lists_of_its_scope(client, demo):
    """Every demo role, every list unit: 200 where allowed, 404 elsewhere (page and both exports)."""
    for username in demo_usernames(demo):
        client.force_login(demo.user(username))
        for code in UNITS:
            allowed = code in ALLOWED.get(username, set())
            page = client.get(reverse("reports:approved_list"), {"unit": demo.unit(code).pk})
            assert page.status_code == (200 if allowed else 404), (username, code)
            if not allowed:
                export = client.post(
                    reverse("reports:approved_list_export", args=["xlsx"]), {"unit": demo.unit(code).pk}
                )
                assert export.status_code == 404, (username, code)
        own = client.get(reverse("reports:approved_list"))
        assert own.status_code == (200 if username in ALLOWED else 404), username


def test_the_default_unit_is_the_users_own(client, demo):
    """Without a unit the page shows the user's own: the district for its officer, the school for its principal."""
    for username, code in [
        ("demo.phong", "PGD-HB"),
        ("demo.ht", "THCS-LQD"),
        ("demo.ldso", "SGD"),
        ("demo.cvso", "SGD"),
        ("demo.cumtruong", "CUM-THPT1"),
    ]:
        client.force_login(demo.user(username))
        assert client.get(reverse("reports:approved_list")).context["unit"].code == code, username


def test_predicates_and_querysets_agree(demo):
    """For every demo user: inspectable_units_q is can_inspect_unit, approved_rows_q is can_see_row."""
    approve(submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN")))
    van_lecture(demo)
    approve(
        submit(
            demo.user("demo.gv.thpt"),
            demo.unit("THPT-TRANPHU-DIA"),
            title="Địa hình",
            subject="dia-li",
            grade=10,
        )
    )
    publications = list(Publication.objects.select_related("lecture__school"))
    assert len(publications) == 3
    for user in User.objects.all():
        units = set(Unit.objects.filter(inspectable_units_q(user)).values_list("pk", flat=True))
        assert units == {u.pk for u in Unit.objects.all() if can_inspect_unit(user, u)}, user
        rows = set(Publication.objects.filter(approved_rows_q(user)).values_list("pk", flat=True))
        assert rows == {p.pk for p in publications if can_see_row(user, p)}, user


def test_city_specialist_sees_only_their_subject(client, demo):
    """The Toán specialist's list of the district holds the Toán lecture, not the Ngữ văn one; the leader's both."""
    approve(submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Phân số Toán"))
    van_lecture(demo)
    district = demo.unit("PGD-HB").pk
    client.force_login(demo.user("demo.cvso"))
    titles = [
        r.title for r in client.get(reverse("reports:approved_list"), {"unit": district}).context["preview"]
    ]
    assert titles == ["Phân số Toán"]
    client.force_login(demo.user("demo.ldso"))
    titles = [
        r.title for r in client.get(reverse("reports:approved_list"), {"unit": district}).context["preview"]
    ]
    assert sorted(titles) == ["Bài thơ Ngữ văn", "Phân số Toán"]


def test_a_principal_list_covers_only_their_school(client, demo):
    """THCS Lê Quý Đôn's list does not show a lecture of another school of the district."""
    approve(submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Của Lê Quý Đôn"))
    client.force_login(demo.user("demo.ht"))
    page = client.get(reverse("reports:approved_list"))
    assert [r.title for r in page.context["preview"]] == ["Của Lê Quý Đôn"]
    client.force_login(demo.user("demo.phong.lc"))
    page = client.get(reverse("reports:approved_list"))
    assert page.context["count"] == 0
