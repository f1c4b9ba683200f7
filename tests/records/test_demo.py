"""The demo city's professional records: every role has something to see, and loading twice adds nothing."""

import pytest

from reviews.models import ReviewCase
from reviews.record_demo import load_demo
from reviews.rules import cases_in_charge_q
from submissions.models import Record
from submissions.record_selectors import records_visible_to

pytestmark = pytest.mark.django_db


def test_demo_records_reach_every_role(demo):
    load_demo()
    count = Record.objects.count()
    load_demo()
    assert Record.objects.count() == count >= 8
    for username in [
        "demo.gv",
        "demo.tt",
        "demo.ht",
        "demo.pht",
        "demo.ht.thpt",
        "demo.phong",
        "demo.phong.lc",
        "demo.cvso",
        "demo.ldso",
    ]:
        assert records_visible_to(demo.user(username)).exists(), username
    waiting = {
        "demo.tt": "lesson_plan",
        "demo.ht": "department_plan",
        "demo.phong": "school_plan",
        "demo.ldso": "school_plan",
    }
    for username, kind in waiting.items():
        cases = ReviewCase.objects.filter(cases_in_charge_q(demo.user(username)), state="in_review")
        assert cases.filter(record__kind__code=kind).exists(), username
    assert (
        Record.objects.filter(status="returned").exists()
        and Record.objects.filter(status="approved").exists()
    )
