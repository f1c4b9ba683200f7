"""The embedded scheduler (elearning/scheduler.py): the beat schedule's jobs run in the web
process, the daily reminders once a day whatever the number of processes and restarts, and the
reminder e-mails link to the configured site address."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from elearning import scheduler
from elearning.celery import app
from elearning.models import PeriodicRun
from reviews.models import Notification
from tests.workflow import make_window, submit

pytestmark = pytest.mark.django_db

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
REMINDERS = "daily-review-reminders"


def at(hour, minute=0, *, days=0):
    """Today (local) at hh:mm, plus `days`."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=HCM)


def ran_before(moment):
    """Every job last ran at `moment` (as if a process had been running them)."""
    for name in app.conf.beat_schedule:
        PeriodicRun.objects.update_or_create(name=name, defaults={"last_run_at": moment})


def test_the_reminders_are_on_the_beat_schedule_daily_at_seven():
    """Production runs them through Celery beat; the embedded scheduler reads the same entry."""
    entry = app.conf.beat_schedule[REMINDERS]
    assert entry["task"] == "reviews.tasks.review_reminders_task"
    assert scheduler._task(app, entry["task"]).name == entry["task"]
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}


def test_a_job_never_run_runs_at_the_first_tick():
    """A fresh install sends today's reminders at the first tick instead of waiting a day."""
    assert REMINDERS in scheduler.run_due(at(9))
    assert PeriodicRun.objects.get(name=REMINDERS).last_run_at == at(9)


def test_the_daily_reminders_run_once_a_day_and_catch_up_after_a_restart():
    """Last run yesterday 07:00: nothing at 06:59, a run at 07:00, nothing more that day; a
    server started at 08:30 the next day (the 07:00 run missed) runs it at once, then not again."""
    ran_before(at(7, days=-1))
    assert REMINDERS not in scheduler.run_due(at(6, 59))
    assert REMINDERS in scheduler.run_due(at(7, 0))
    assert REMINDERS not in scheduler.run_due(at(7, 1))
    assert REMINDERS not in scheduler.run_due(at(23, 59))
    # The process stops; a new one starts the next morning after 07:00: its memory is empty,
    # the database remembers.
    assert REMINDERS in scheduler.run_due(at(8, 30, days=1))
    assert REMINDERS not in scheduler.run_due(at(8, 31, days=1))


def test_two_processes_waking_together_run_a_job_once(monkeypatch):
    """Both read the row before either writes it; the compare-and-set lets one through."""
    ran_before(at(7, days=-1))
    stale = PeriodicRun.objects.get(name=REMINDERS)
    real = PeriodicRun.objects.get_or_create

    def read_before_the_other_wrote(**kwargs):
        if kwargs.get("name") == REMINDERS:
            return PeriodicRun.objects.get(pk=stale.pk, last_run_at=stale.last_run_at), False
        return real(**kwargs)

    monkeypatch.setattr(PeriodicRun.objects, "get_or_create", read_before_the_other_wrote)
    first = scheduler._claim(
        REMINDERS, scheduler._at(app.conf.beat_schedule[REMINDERS]["schedule"], at(7)), at(7)
    )
    # The second process read the same row (last run yesterday) before the first one's write.
    monkeypatch.setattr(PeriodicRun.objects, "get_or_create", lambda **kw: (stale, False))
    second = scheduler._claim(
        REMINDERS, scheduler._at(app.conf.beat_schedule[REMINDERS]["schedule"], at(7)), at(7)
    )
    assert (first, second) == (True, False)


def test_the_scheduler_sends_reminders_once_with_links_to_the_site(
    demo, settings, django_capture_on_commit_callbacks
):
    """An overdue review: the morning tick notifies the head and the school's leaders by e-mail,
    with a link on SITE_URL; a second process's tick the same morning sends nothing."""
    settings.SITE_URL = "https://hoclieu.haiphong.example/"
    late = make_window(closes_on=timezone.localdate() - datetime.timedelta(days=10))
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), window=late, title="Quá hạn thẩm định")
    mail.outbox.clear()
    ran_before(at(7, days=-1))
    now = max(timezone.now(), at(7))
    with django_capture_on_commit_callbacks(execute=True):
        assert REMINDERS in scheduler.run_due(now)
    with django_capture_on_commit_callbacks(execute=True):
        # Even a second run the same day (a row reset by hand, a job re-run after a crash)
        # sends nothing: the reminders keep one row per case, person, kind and day.
        PeriodicRun.objects.filter(name=REMINDERS).update(last_run_at=at(7, days=-1))
        assert REMINDERS in scheduler.run_due(now)
    overdue = Notification.objects.filter(kind="overdue", case=case)
    assert overdue.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(n.user.email for n in overdue)
    link = f"https://hoclieu.haiphong.example{case.get_absolute_url()}"
    assert all(link in m.body and "Quá hạn thẩm định" in m.body for m in mail.outbox)


def test_start_is_off_when_beat_runs(settings):
    """With Redis (production), EMBEDDED_SCHEDULER is off and no thread starts."""
    settings.EMBEDDED_SCHEDULER = False
    assert scheduler.start() is False
