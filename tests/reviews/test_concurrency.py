"""Two (twenty) reviewers pressing approve at once give exactly one transition (PostgreSQL)."""

import threading

import pytest
from django.db import connections

from reviews import services
from reviews.models import CaseLog, CaseState, Minutes, ReviewCase
from tests.workflow import good_minutes, submit

THREADS = 20
ROUNDS = 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_approvals_make_one_transition(demo):
    """20 threads approve the same case at once, 50 times: one transition, one log row, the rest 'already decided'."""
    head = demo.user("demo.tt")
    for round_ in range(ROUNDS):
        case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title=f"Bài {round_}")
        barrier = threading.Barrier(THREADS)
        outcomes = []
        lock = threading.Lock()

        def approve(case_pk=case.pk, barrier=barrier, outcomes=outcomes):
            try:
                case_obj = ReviewCase.objects.get(pk=case_pk)
                barrier.wait()
                try:
                    services.review_approve(case=case_obj, actor=head, minutes=good_minutes())
                    result = "ok"
                except services.CaseConflict as exc:
                    result = "conflict" if "đã được quyết định" in str(exc) else f"other: {exc}"
                except Exception as exc:  # noqa: BLE001 - reported below
                    result = f"error: {exc!r}"
                with lock:
                    outcomes.append(result)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=approve) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["conflict"] * (THREADS - 1) + ["ok"], outcomes
        assert ReviewCase.objects.get(pk=case.pk).state == CaseState.APPROVED
        assert CaseLog.objects.filter(case_id=case.pk, transition="approve").count() == 1
        assert Minutes.objects.filter(case_id=case.pk).count() == 1
