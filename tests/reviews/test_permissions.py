"""Every action × role × state through the real endpoints, and every rule beside its queryset twin.

For each (action, state) the case is built through the services, then every demo role posts the
action inside a savepoint that is rolled back: the allowed users succeed, everyone else gets
404 (case out of their scope) or 403/409 (visible, not theirs to act on) and nothing changes.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from reviews import rules as review_rules
from reviews import services
from reviews.models import Evaluation, ReviewCase
from tests.workflow import (
    approve_at_school,
    district_case,
    evaluated_district_case,
    full_scores,
    good_minutes,
    submit,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "demo.gv",  # the author
    "demo.gv.van",  # teacher, same school, other department
    "demo.tt",  # head of the author's department
    "demo.ht",  # principal
    "demo.pht",  # vice principal
    "demo.qtt",  # school account admin
    "demo.gv.th",  # primary teacher, other district
    "demo.ht.thpt",  # principal of another school
    "demo.cumtruong",  # cluster head
    "demo.phong",  # district officer of the author's district
    "demo.phong.lc",  # officer of another district
    "demo.cvso",  # city specialist (Toán)
    "demo.ldso",  # city leader
    "demo.hdq.ct",  # district panel chair
    "demo.hdq.tv1",  # district panel member
    "demo.hdq.tv2",  # district panel member
    "demo.hds.ct",  # city panel chair
    "demo.hds.tv1",  # city panel member
]


def school_in_review(demo):
    return submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))


def school_approved(demo):
    case = school_in_review(demo)
    approve_at_school(demo, case)
    return case


def school_returned(demo):
    case = school_in_review(demo)
    services.review_return(
        case=case, actor=demo.user("demo.tt"), minutes=good_minutes(required_changes="Sửa")
    )
    return case


def district_unassigned(demo):
    return district_case(demo)


def district_assigned(demo):
    case = district_case(demo)
    members = [demo.user("demo.hdq.tv1"), demo.user("demo.hdq.tv2")]
    services.review_assign_members(case=case, actor=demo.user("demo.hdq.ct"), members=members)
    return case


def district_evaluated(demo):
    return evaluated_district_case(demo)


def district_approved(demo):
    case = evaluated_district_case(demo)
    services.review_approve(case=case, actor=demo.user("demo.hdq.ct"), minutes=good_minutes())
    return case


STATES = {
    "school_in_review": school_in_review,
    "school_approved": school_approved,
    "school_returned": school_returned,
    "district_unassigned": district_unassigned,
    "district_assigned": district_assigned,
    "district_evaluated": district_evaluated,
    "district_approved": district_approved,
}


def decide_data(decision):
    return lambda demo: {
        "decision": decision,
        "strengths": "Tốt",
        "required_changes": "Bổ sung ví dụ" if decision == "return" else "",
        "conclusion": "Kết luận của người thẩm định",
    }


def evaluate_data(demo):
    data = {"recommendation": "approve", "strengths": "matrix"}
    data.update({f"score_{k}": str(v) for k, v in full_scores().items()})
    return data


def assign_data(demo):
    return {"members": [demo.user("demo.hdq.tv1").pk, demo.user("demo.hdq.tv2").pk]}


ACTIONS = {
    "approve": ("reviews:case_decide", decide_data("approve"), lambda case, user: case.state == "approved"),
    "return": ("reviews:case_decide", decide_data("return"), lambda case, user: case.state == "returned"),
    "reject": ("reviews:case_decide", decide_data("reject"), lambda case, user: case.state == "rejected"),
    "assign": (
        "reviews:case_assign",
        assign_data,
        lambda case, user: case.log.filter(transition="assign", actor=user).exists(),
    ),
    "evaluate": (
        "reviews:case_evaluate",
        evaluate_data,
        lambda case, user: Evaluation.objects.filter(case=case, member=user, strengths="matrix").exists(),
    ),
    "nominate": (
        "reviews:case_nominate",
        lambda demo: {"comment": "Đề cử"},
        lambda case, user: case.nominated_at,
    ),
    "withdraw": ("reviews:case_withdraw", lambda demo: {}, lambda case, user: case.state == "withdrawn"),
}

# (action, state) → the users who may act; everyone else in ROLES must be refused.
MATRIX = [
    ("approve", "school_in_review", {"demo.tt"}),
    ("approve", "school_approved", set()),
    ("approve", "school_returned", set()),
    ("approve", "district_evaluated", {"demo.hdq.ct"}),
    ("approve", "district_approved", set()),
    ("return", "school_in_review", {"demo.tt"}),
    ("return", "school_approved", set()),
    ("return", "district_evaluated", {"demo.hdq.ct"}),
    ("reject", "school_in_review", {"demo.tt"}),
    ("reject", "school_returned", set()),
    ("reject", "district_evaluated", {"demo.hdq.ct"}),
    ("assign", "school_in_review", set()),
    ("assign", "district_unassigned", {"demo.hdq.ct"}),
    ("assign", "district_evaluated", {"demo.hdq.ct"}),
    ("assign", "district_approved", set()),
    ("evaluate", "school_in_review", set()),
    ("evaluate", "district_unassigned", set()),
    ("evaluate", "district_assigned", {"demo.hdq.tv1", "demo.hdq.tv2"}),
    ("evaluate", "district_approved", set()),
    ("nominate", "school_in_review", set()),
    ("nominate", "school_approved", {"demo.ht", "demo.pht"}),
    ("nominate", "school_returned", set()),
    ("nominate", "district_evaluated", set()),
    ("nominate", "district_approved", {"demo.phong"}),
    ("withdraw", "school_in_review", {"demo.gv"}),
    ("withdraw", "school_approved", set()),
    ("withdraw", "district_unassigned", set()),
]


def snapshot(case):
    case = ReviewCase.objects.get(pk=case.pk)
    return (
        case.state,
        case.nominated_at,
        case.log.count(),
        case.assignments.count(),
        sorted(case.evaluations.values_list("member_id", "strengths")),
        ReviewCase.objects.count(),
    )


@pytest.mark.parametrize(("action", "state", "allowed"), MATRIX, ids=[f"{a}-{s}" for a, s, _ in MATRIX])
def test_action_role_state(demo, action, state, allowed):
    """Allowed roles succeed; every other role gets 404/403/409 and nothing changes."""
    case = STATES[state](demo)
    url_name, data_for, succeeded = ACTIONS[action]
    data = data_for(demo)
    before = snapshot(case)
    problems = []
    for username in ROLES:
        user = User.objects.get(username=username)
        client = Client()
        with transaction.atomic():
            client.force_login(user)
            response = client.post(reverse(url_name, args=[case.pk]), data)
            after = ReviewCase.objects.get(pk=case.pk)
            if username in allowed:
                if response.status_code != 302 or not succeeded(after, user):
                    problems.append(f"{username}: expected success, got {response.status_code}")
            else:
                visible = review_rules.can_view_case(User.objects.get(pk=user.pk), after)
                expected = {403, 409} if visible else {404}
                if response.status_code not in expected:
                    problems.append(f"{username}: expected {expected}, got {response.status_code}")
                if snapshot(case) != before:
                    problems.append(f"{username}: refused but the case changed")
            transaction.set_rollback(True)
    assert problems == []
    assert snapshot(case) == before


@pytest.mark.parametrize("state", list(STATES))
def test_rules_agree_with_their_querysets(demo, state):
    """Every predicate in reviews.rules returns exactly what its queryset twin selects, for every role."""
    STATES[state](demo)
    cases = list(ReviewCase.objects.select_related("lecture", "unit", "panel", "lecture__department"))
    problems = []
    for username in ROLES:
        user = User.objects.get(username=username)
        for name, twin in review_rules.TWINS.items():
            predicate = getattr(review_rules, name)
            selected = set(ReviewCase.objects.filter(twin(user)).values_list("pk", flat=True))
            for case in cases:
                if bool(predicate(user, case)) != (case.pk in selected):
                    problems.append(f"{username} {name} case {case.pk} ({case.level} {case.state})")
    assert problems == []


def test_get_never_changes_a_case(demo):
    """A GET on an action endpoint is refused (405) and changes nothing."""
    case = school_in_review(demo)
    client = Client()
    client.force_login(demo.user("demo.tt"))
    before = snapshot(case)
    for name in [
        "reviews:case_decide",
        "reviews:case_nominate",
        "reviews:case_assign",
        "reviews:case_withdraw",
    ]:
        assert client.get(reverse(name, args=[case.pk])).status_code == 405
    assert snapshot(case) == before
