"""Inspection of professional records exactly as seed 001, 2.3, for every demo role × record kind
× scope: out of scope is 404, in scope without the right is 403, and nothing changes."""

import pytest
from django.urls import reverse

from accounts.demo import USERS
from reviews.models import CaseState, ReviewCase
from submissions.models import Record, RecordVersion
from submissions.record_rules import can_view_record
from submissions.record_selectors import records_visible_to

from .builders import upload

ALL = set("ABCDEFGHI")
LQD = {"A", "B", "C", "D", "E"}  # every record of THCS Lê Quý Đôn
# Who may inspect which record (see conftest.city_records), written out from seed 001, 2.3.
VISIBLE = {
    "demo.gv": {"C", "D"},  # own records only
    "demo.tt": {"B", "C", "D"},  # their department (Toán – Tin), not Ngữ văn, not the school plan
    "demo.ht": LQD,  # school leadership: the whole school
    "demo.pht": LQD,
    "demo.qtt": set(),  # school account administrator: no inspection right
    "demo.gv.van": {"E"},
    "demo.gv.th": {"H"},
    "demo.gv.thpt": {"G"},
    "demo.ht.thpt": {"F", "G"},
    "demo.cumtruong": {"I"},  # principal of PT-HG; being cluster head gives no right on records
    "demo.phong": LQD,  # district Hồng Bàng: every record of its schools
    "demo.phong.lc": {"H"},  # district Lê Chân
    "demo.cvso": {"B", "C", "D", "H"},  # Toán specialist: Toán departments' and teachers' records
    "demo.ldso": ALL,  # city leadership: everything
}
# Who decides each open case (approves, returns, or acknowledges a school plan).
DECIDES = {
    "A": {"demo.phong"},
    "B": {"demo.ht", "demo.pht"},
    "C": {"demo.tt"},
    "D": {"demo.tt"},
    "E": set(),  # the demo's Ngữ văn department has no head
    "F": {"demo.ldso"},
    "G": set(),
    "H": set(),
    "I": {"demo.ldso"},
}
USERNAMES = [u.username for u in USERS]


def test_the_matrix_names_every_demo_role():
    assert set(USERNAMES) - set(VISIBLE) <= {u for u in USERNAMES if u.startswith("demo.hd")}


@pytest.mark.parametrize("username", USERNAMES)
def test_inspection_follows_seed_001(demo, city_records, client, username):
    """Each role sees exactly its records: the predicate, the list filter and the pages agree."""
    user = demo.user(username)
    expected = VISIBLE.get(username, set())
    by_label = {label: case.record for label, case in city_records.items()}
    assert {label for label, r in by_label.items() if can_view_record(user, r)} == expected
    listed = set(records_visible_to(user).values_list("pk", flat=True))
    assert listed == {by_label[label].pk for label in expected}
    client.force_login(user)
    for label, record in by_label.items():
        status = client.get(reverse("records:detail", args=[record.pk])).status_code
        assert status == (200 if label in expected else 404), f"{username} record {label}"
        version = record.versions.get()
        status = client.get(reverse("records:file", args=[record.pk, version.number])).status_code
        assert status == (200 if label in expected else 404), f"{username} file {label}"


@pytest.mark.parametrize("username", USERNAMES)
def test_only_the_routed_reviewer_decides(demo, city_records, client, username):
    """Out of scope a decision is 404, in scope without the right 403; the case does not move."""
    user = demo.user(username)
    client.force_login(user)
    for label, case in city_records.items():
        if username in DECIDES[label]:
            page = client.get(reverse("records:case", args=[case.pk])).content.decode()
            assert 'data-testid="record-decision"' in page, f"{username} should see the form on {label}"
            continue
        response = client.post(
            reverse("records:case_decide", args=[case.pk]), {"decision": "approve", "comment": ""}
        )
        in_scope = label in VISIBLE.get(username, set())
        assert response.status_code == (403 if in_scope else 404), f"{username} deciding {label}"
        assert ReviewCase.objects.get(pk=case.pk).state == CaseState.IN_REVIEW
        if in_scope:
            page = client.get(reverse("records:case", args=[case.pk])).content.decode()
            assert 'data-testid="record-decision"' not in page


@pytest.mark.parametrize("label", sorted(ALL - {"E", "G", "H"}))
def test_the_routed_reviewer_decides_through_the_page(demo, city_records, client, label):
    """The one allowed reviewer's POST approves (or acknowledges) the record."""
    case = city_records[label]
    client.force_login(demo.user(sorted(DECIDES[label])[0]))
    response = client.post(reverse("records:case_decide", args=[case.pk]), {"decision": "approve"})
    assert response.status_code == 302
    assert ReviewCase.objects.get(pk=case.pk).state == CaseState.APPROVED
    assert Record.objects.get(pk=case.record_id).status == "approved"


def test_resubmission_is_the_owners_alone(demo, city_records, client):
    """After a return, the head (in scope) gets 403 and an outsider 404; only the owner resubmits."""
    case = city_records["C"]
    client.force_login(demo.user("demo.tt"))
    client.post(reverse("records:case_decide", args=[case.pk]), {"decision": "return", "comment": "Bổ sung."})
    url = reverse("records:resubmit", args=[case.record_id])
    for username, status in [
        ("demo.tt", 403),
        ("demo.ht", 403),
        ("demo.gv.van", 404),
        ("demo.phong.lc", 404),
    ]:
        client.force_login(demo.user(username))
        assert client.post(url, {"file": upload()}).status_code == status
    assert RecordVersion.objects.filter(record_id=case.record_id).count() == 1
    client.force_login(demo.user("demo.gv"))
    assert client.post(url, {"file": upload(), "change_note": "Đã bổ sung"}).status_code == 302
    assert RecordVersion.objects.filter(record_id=case.record_id).count() == 2


@pytest.mark.parametrize("username", ["demo.gv", "demo.pht", "demo.phong", "demo.ldso"])
def test_a_kind_one_does_not_submit_has_no_form(demo, client, username):
    """Only the kind's submitter role gets the school plan's form (the principal)."""
    client.force_login(demo.user(username))
    assert client.get(reverse("records:new", args=["school_plan"])).status_code == 403


@pytest.mark.parametrize("username", USERNAMES)
def test_case_predicates_and_their_filters_agree_on_record_cases(demo, city_records, username):
    """Every review-case predicate and its queryset twin return the same record cases."""
    from reviews import rules as review_rules

    user = demo.user(username)
    cases = list(ReviewCase.objects.filter(record__isnull=False).select_related("record__kind", "unit"))
    for name, twin in review_rules.TWINS.items():
        predicate = getattr(review_rules, name)
        allowed = {c.pk for c in cases if predicate(user, c)}
        filtered = set(
            ReviewCase.objects.filter(record__isnull=False).filter(twin(user)).values_list("pk", flat=True)
        )
        assert allowed == filtered, f"{username}: {name}"
