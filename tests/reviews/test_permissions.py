"""Every action × role × state through the real endpoints, and every rule beside its queryset twin.

For each (action, state) the case is built through the services (tests/workflow.py), then every
demo role posts the action inside a savepoint that is rolled back: the allowed users succeed,
everyone else gets 404 (out of their scope) or 403/409 (visible, not theirs to act on) and
nothing changes. demo.gv's Toán lecture is co-written by demo.gv.van, so every row also checks
that a co-author never acts as the owner (403 on each owner endpoint) nor reviews the lecture.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from reviews import lecture_rules, services
from reviews import rules as review_rules
from reviews.models import CaseState, Evaluation, ReviewCase
from submissions.models import Lecture, LectureVersion
from submissions.rules import can_view_lecture
from tests.workflow import (
    approve,
    assign,
    district_case,
    evaluate,
    evaluated_district_case,
    full_scores,
    make_draft,
    nominate,
    open_window,
    resubmit,
    return_for_changes,
    submit,
    withdraw,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "demo.gv",  # the owner of the Toán lecture
    "demo.gv.van",  # its co-author (teacher, same school, other department)
    "demo.tt",  # head of the author's department
    "demo.ht",  # principal
    "demo.pht",  # vice principal
    "demo.qtt",  # school account admin, teaches in the other department
    "demo.gv.th",  # primary teacher, other district
    "demo.gv.thpt",  # the author of the Địa lí lecture (upper secondary)
    "demo.ht.thpt",  # principal of THPT Trần Phú
    "demo.cumtruong",  # cluster head
    "demo.phong",  # district officer of the author's district
    "demo.phong.lc",  # officer of another district
    "demo.cvso",  # city specialist (Toán)
    "demo.ldso",  # city leader
    "demo.hdq.ct",  # district panel chair
    "demo.hdq.tv1",  # district panel member
    "demo.hdq.tv2",  # district panel member, also on the cluster panel
    "demo.hds.ct",  # city panel chair
    "demo.hds.tv1",  # city panel member, chairs the cluster's Địa lí panel
    "demo.hds.tv2",  # city and cluster panel member
]
OWNER_ACTIONS = {"withdraw", "lecture_submit", "lecture_withdraw", "lecture_new_version", "lecture_edit"}


def school_in_review(demo):
    """demo.gv's Toán 6 lecture, co-written by demo.gv.van, waiting for the department head."""
    return submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), co_authors=[demo.user("demo.gv.van")])


def school_approved(demo):
    return approve(school_in_review(demo))


def school_returned(demo):
    return return_for_changes(school_in_review(demo))


def school_returned_draft(demo):
    """Returned, and the owner started the next version: a draft ready to resubmit."""
    case = school_returned(demo)
    make_draft(case.lecture, note="Đã sửa")
    return case


def school_withdrawn(demo):
    return withdraw(school_in_review(demo))


def school_withdrawn_draft(demo):
    """Withdrawn, then a new draft to submit again in today's window."""
    case = school_withdrawn(demo)
    make_draft(case.lecture)
    open_window()
    return case


def school_resubmitted(demo):
    """The new case of a returned lecture resubmitted, in review at school again."""
    return resubmit(school_returned(demo))


def school_resubmitted_old(demo):
    """The returned case once resubmitted: closed for every action."""
    case = school_returned(demo)
    resubmit(case)
    return case


def _toan(demo):
    return district_case(demo, co_authors=[demo.user("demo.gv.van")])


def district_unassigned(demo):
    return _toan(demo)


def district_assigned(demo):
    case = _toan(demo)
    assign(case, [demo.user("demo.hdq.tv1"), demo.user("demo.hdq.tv2")])
    return case


def district_evaluated(demo):
    return evaluated_district_case(demo, co_authors=[demo.user("demo.gv.van")])


def district_approved(demo):
    return approve(district_evaluated(demo))


def city_unassigned(demo):
    """Approved at the district, nominated by the district officer to the city's Toán THCS panel."""
    return nominate(district_approved(demo))


def city_assigned(demo):
    case = city_unassigned(demo)
    assign(case, [demo.user("demo.hds.tv1"), demo.user("demo.hds.tv2")])
    return case


def city_evaluated(demo):
    case = city_assigned(demo)
    evaluate(case)
    return case


def city_approved(demo):
    return approve(city_evaluated(demo))


def cluster_unassigned(demo):
    """demo.gv.thpt's Địa lí 10 (no head in the department: the principal decided it once overdue),
    nominated by the principal to the cluster's Địa lí panel chaired by demo.hds.tv1."""
    case = submit(demo.user("demo.gv.thpt"), demo.unit("THPT-TRANPHU-DIA"), subject="dia-li", grade=10)
    return nominate(approve(case))


def cluster_assigned(demo):
    case = cluster_unassigned(demo)
    assign(case, [demo.user("demo.hds.tv2"), demo.user("demo.hdq.tv2")])
    return case


def cluster_evaluated(demo):
    case = cluster_assigned(demo)
    evaluate(case)
    return case


def cluster_approved(demo):
    return approve(cluster_evaluated(demo))


STATES = {
    f.__name__: f
    for f in [
        school_in_review,
        school_approved,
        school_returned,
        school_returned_draft,
        school_withdrawn,
        school_withdrawn_draft,
        school_resubmitted,
        school_resubmitted_old,
        district_unassigned,
        district_assigned,
        district_evaluated,
        district_approved,
        cluster_unassigned,
        cluster_assigned,
        cluster_evaluated,
        cluster_approved,
        city_unassigned,
        city_assigned,
        city_evaluated,
        city_approved,
    ]
}


def decide_data(decision):
    return lambda case: {
        "decision": decision,
        "strengths": "Tốt",
        "required_changes": "Bổ sung ví dụ" if decision == "return" else "",
        "conclusion": "Kết luận của người thẩm định",
    }


def evaluate_data(case):
    data = {"recommendation": "approve", "strengths": "matrix"}
    data.update({f"score_{k}": str(v) for k, v in full_scores().items()})
    return data


def assign_data(case):
    return {"members": [m.pk for m in services.default_members(case)]}


def edit_data(case):
    lecture = case.lecture
    return {
        "department": lecture.department_id,
        "subject": lecture.subject_id,
        "grade": lecture.grade,
        "title": "matrix",
        "co_authors": list(lecture.co_authors.values_list("pk", flat=True)),
    }


def latest(case):
    return ReviewCase.latest_of(case.lecture)


# action → (URL name, on "case" or "lecture", POST data for the case, did it succeed?)
ACTIONS = {
    "approve": (
        "reviews:case_decide",
        "case",
        decide_data("approve"),
        lambda case, user: case.state == "approved",
    ),
    "return": (
        "reviews:case_decide",
        "case",
        decide_data("return"),
        lambda case, user: case.state == "returned",
    ),
    "reject": (
        "reviews:case_decide",
        "case",
        decide_data("reject"),
        lambda case, user: case.state == "rejected",
    ),
    "assign": (
        "reviews:case_assign",
        "case",
        assign_data,
        lambda case, user: case.log.filter(transition="assign", actor=user).exists(),
    ),
    "evaluate": (
        "reviews:case_evaluate",
        "case",
        evaluate_data,
        lambda case, user: Evaluation.objects.filter(case=case, member=user, strengths="matrix").exists(),
    ),
    "nominate": (
        "reviews:case_nominate",
        "case",
        lambda case: {"comment": "Đề cử"},
        lambda case, user: case.nominated_at,
    ),
    "withdraw": (
        "reviews:case_withdraw",
        "case",
        lambda case: {},
        lambda case, user: case.state == "withdrawn",
    ),
    "lecture_submit": (
        "lectures:submit",
        "lecture",
        lambda case: {},
        lambda case, user: latest(case).pk != case.pk and latest(case).state == CaseState.IN_REVIEW,
    ),
    "lecture_withdraw": (
        "lectures:withdraw",
        "lecture",
        lambda case: {},
        lambda case, user: latest(case).state == CaseState.WITHDRAWN,
    ),
    "lecture_new_version": (
        "lectures:new_version",
        "lecture",
        lambda case: {"change_note": "matrix"},
        lambda case, user: case.lecture.versions.filter(submitted_at__isnull=True).exists(),
    ),
    "lecture_edit": (
        "lectures:edit",
        "lecture",
        edit_data,
        lambda case, user: case.lecture.title == "matrix",
    ),
}

GV, HEAD, CHAIR_D, CHAIR_C, CHAIR_CLUSTER = "demo.gv", "demo.tt", "demo.hdq.ct", "demo.hds.ct", "demo.hds.tv1"
NOBODY = set()

# (action, state) → the users who may act; everyone else in ROLES must be refused.
MATRIX = [
    ("approve", "school_in_review", {HEAD}),
    ("approve", "school_approved", NOBODY),
    ("approve", "school_returned", NOBODY),
    ("approve", "school_withdrawn", NOBODY),
    ("approve", "school_resubmitted", {HEAD}),
    ("approve", "school_resubmitted_old", NOBODY),
    ("approve", "district_evaluated", {CHAIR_D}),
    ("approve", "district_approved", NOBODY),
    ("approve", "cluster_evaluated", {CHAIR_CLUSTER}),
    ("approve", "cluster_approved", NOBODY),
    ("approve", "city_evaluated", {CHAIR_C}),
    ("approve", "city_approved", NOBODY),
    ("return", "school_in_review", {HEAD}),
    ("return", "school_approved", NOBODY),
    ("return", "school_resubmitted_old", NOBODY),
    ("return", "district_evaluated", {CHAIR_D}),
    ("return", "cluster_evaluated", {CHAIR_CLUSTER}),
    ("return", "city_evaluated", {CHAIR_C}),
    ("reject", "school_in_review", {HEAD}),
    ("reject", "school_returned", NOBODY),
    ("reject", "school_withdrawn", NOBODY),
    ("reject", "district_evaluated", {CHAIR_D}),
    ("reject", "cluster_evaluated", {CHAIR_CLUSTER}),
    ("reject", "city_evaluated", {CHAIR_C}),
    ("assign", "school_in_review", NOBODY),
    ("assign", "district_unassigned", {CHAIR_D}),
    ("assign", "district_evaluated", {CHAIR_D}),
    ("assign", "district_approved", NOBODY),
    ("assign", "cluster_unassigned", {CHAIR_CLUSTER}),
    ("assign", "city_unassigned", {CHAIR_C}),
    ("assign", "city_approved", NOBODY),
    ("evaluate", "school_in_review", NOBODY),
    ("evaluate", "district_unassigned", NOBODY),
    ("evaluate", "district_assigned", {"demo.hdq.tv1", "demo.hdq.tv2"}),
    ("evaluate", "district_approved", NOBODY),
    ("evaluate", "cluster_assigned", {"demo.hds.tv2", "demo.hdq.tv2"}),
    ("evaluate", "city_assigned", {"demo.hds.tv1", "demo.hds.tv2"}),
    ("evaluate", "city_approved", NOBODY),
    ("nominate", "school_in_review", NOBODY),
    ("nominate", "school_approved", {"demo.ht", "demo.pht"}),
    ("nominate", "school_returned", NOBODY),
    ("nominate", "school_withdrawn", NOBODY),
    ("nominate", "school_resubmitted_old", NOBODY),
    ("nominate", "district_evaluated", NOBODY),
    ("nominate", "district_approved", {"demo.phong"}),
    ("nominate", "cluster_evaluated", NOBODY),
    ("nominate", "cluster_approved", {"demo.cumtruong"}),
    ("nominate", "city_approved", NOBODY),
    ("withdraw", "school_in_review", {GV}),
    ("withdraw", "school_approved", NOBODY),
    ("withdraw", "school_withdrawn", NOBODY),
    ("withdraw", "school_resubmitted", {GV}),
    ("withdraw", "school_resubmitted_old", NOBODY),
    ("withdraw", "district_unassigned", NOBODY),
    ("withdraw", "city_unassigned", NOBODY),
    ("lecture_submit", "school_in_review", NOBODY),
    ("lecture_submit", "school_returned_draft", {GV}),
    ("lecture_submit", "school_withdrawn_draft", {GV}),
    ("lecture_withdraw", "school_in_review", {GV}),
    ("lecture_withdraw", "school_resubmitted", {GV}),
    ("lecture_withdraw", "district_unassigned", NOBODY),
    ("lecture_new_version", "school_in_review", NOBODY),
    ("lecture_new_version", "school_approved", {GV}),
    ("lecture_new_version", "school_returned", {GV}),
    ("lecture_new_version", "school_withdrawn", {GV}),
    ("lecture_new_version", "city_approved", {GV}),
    ("lecture_edit", "school_in_review", NOBODY),
    ("lecture_edit", "school_returned_draft", {GV}),
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
        case.lecture.title,
        LectureVersion.objects.filter(lecture_id=case.lecture_id).count(),
    )


@pytest.mark.parametrize(("action", "state", "allowed"), MATRIX, ids=[f"{a}-{s}" for a, s, _ in MATRIX])
def test_action_role_state(demo, action, state, allowed):
    """Allowed roles succeed; every other role gets 404/403/409 and nothing changes; where the
    owner may act, the co-author gets 403 (elsewhere, like every viewer, 409 once decided)."""
    case = STATES[state](demo)
    url_name, on, data_for, succeeded = ACTIONS[action]
    url = reverse(url_name, args=[case.pk if on == "case" else case.lecture_id])
    data = data_for(case)
    before = snapshot(case)
    co_authors = set(case.lecture.co_authors.values_list("username", flat=True))
    problems = []
    for username in ROLES:
        user = User.objects.get(username=username)
        client = Client()
        with transaction.atomic():
            client.force_login(user)
            response = client.post(url, data)
            after = ReviewCase.objects.get(pk=case.pk)
            if username in allowed:
                if response.status_code != 302 or not succeeded(after, user):
                    problems.append(f"{username}: expected success, got {response.status_code}")
            else:
                fresh_user = User.objects.get(pk=user.pk)
                if username in co_authors and action in OWNER_ACTIONS and GV in allowed:
                    expected = {403}  # where the owner may act, the co-author is refused as such
                elif on == "lecture":
                    expected = {403} if can_view_lecture(fresh_user, after.lecture) else {404}
                else:
                    expected = {403, 409} if review_rules.can_view_case(fresh_user, after) else {404}
                if response.status_code not in expected:
                    problems.append(f"{username}: expected {expected}, got {response.status_code}")
                if snapshot(case) != before:
                    problems.append(f"{username}: refused but the case changed")
            transaction.set_rollback(True)
    assert problems == []
    assert snapshot(case) == before


@pytest.mark.parametrize("state", list(STATES))
def test_rules_agree_with_their_querysets(demo, state):
    """Every predicate in reviews.rules returns exactly what its queryset twin selects, for every
    role: on every case (TWINS) and on every lecture (LECTURE_TWINS)."""
    STATES[state](demo)
    cases = list(ReviewCase.objects.select_related("lecture", "unit", "panel", "lecture__department"))
    lectures = list(Lecture.objects.all())
    problems = []
    for username in ROLES:
        user = User.objects.get(username=username)
        for module, table, model, objects in (
            (review_rules, review_rules.TWINS, ReviewCase, cases),
            (lecture_rules, lecture_rules.LECTURE_TWINS, Lecture, lectures),
        ):
            for name, twin in table.items():
                predicate = getattr(module, name)
                selected = set(model.objects.filter(twin(user)).values_list("pk", flat=True))
                for obj in objects:
                    if bool(predicate(user, obj)) != (obj.pk in selected):
                        problems.append(f"{username} {name} {model.__name__} {obj.pk}")
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
