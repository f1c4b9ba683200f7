"""The embedded default's own scheduler: Celery beat's schedule, run in a thread of the web process.

Without Redis there is no beat, yet lost checks must still be swept, abandoned uploads cleaned
and the daily review reminders sent. `start()` (called by elearning/wsgi.py, so by `runserver`
and by every gunicorn worker) starts a thread that every 30 seconds runs each entry of
`app.conf.beat_schedule` (the one schedule of record, in elearning/celery.py) when its crontab
says so, calling the task in-process.

When an entry last ran is kept in the database (`PeriodicRun`), not in the process:
- a job is claimed by a compare-and-set on its row (`UPDATE … WHERE last_run_at = <what I
  read>`), so when two processes wake at once exactly one runs it;
- a restart does not forget: a daily job whose hour passed while no server ran (the reminders
  at 07:00, a server started at 08:30) runs at the first tick after start, once;
- an entry never run before counts as last run a day ago, so it runs at the first tick.
Every periodic task is idempotent on its own as well (the reminders keep a row per case,
person, kind and day), so a job that crashed midway can simply run again next time.
"""

from __future__ import annotations

import copy
import datetime
import importlib
import logging
import threading
import time

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)
_started = threading.Lock()
_thread: threading.Thread | None = None
NEVER_RUN_AGE = datetime.timedelta(days=1)


def _claim(name: str, schedule, now: datetime.datetime) -> bool:
    """Whether this process won the due run of `name` (at most one process does)."""
    from .models import PeriodicRun

    row, _created = PeriodicRun.objects.get_or_create(name=name)
    previous = row.last_run_at or now - NEVER_RUN_AGE
    if not schedule.is_due(previous).is_due:
        return False
    # SECURITY (of the schedule): the compare-and-set is what makes two processes run it once.
    return PeriodicRun.objects.filter(pk=row.pk, last_run_at=row.last_run_at).update(last_run_at=now) == 1


def run_due(now: datetime.datetime | None = None) -> list[str]:
    """Runs every entry of the beat schedule that is due and that this process claims; returns
    the names that ran."""
    from .celery import app

    now = now or timezone.now()
    ran = []
    for name, entry in app.conf.beat_schedule.items():
        schedule = entry["schedule"]
        schedule = schedule if hasattr(schedule, "is_due") else _every(schedule)
        try:
            if not _claim(name, _at(schedule, now), now):
                continue
            _task(app, entry["task"]).apply()
            ran.append(name)
        except Exception:  # one failing job must not stop the others
            logger.exception("periodic task %s failed", name)
    return ran


def _task(app, name: str):
    """The registered task, its module imported first (the web process may not have imported
    it yet: autodiscovery is lazy)."""
    importlib.import_module(name.rsplit(".", 1)[0])
    return app.tasks[name]


def _at(schedule, now):
    """A copy of the schedule that sees `now` as the time (celery asks its `nowfun`), so a test
    or a late tick judges every entry at one instant; the shared schedule is left alone."""
    seen = copy.copy(schedule)
    seen.nowfun = lambda: now
    return seen


def _every(seconds):
    from celery.schedules import schedule

    return schedule(seconds)


def _loop(interval: float) -> None:
    from django.db import close_old_connections

    while True:
        time.sleep(interval)
        try:
            run_due()
        finally:
            close_old_connections()


def start(interval: float = 30.0) -> bool:
    """Starts the scheduler thread once per process, if EMBEDDED_SCHEDULER is on."""
    global _thread
    if not settings.EMBEDDED_SCHEDULER:
        return False
    with _started:
        if _thread is None:
            _thread = threading.Thread(target=_loop, args=(interval,), name="embedded-scheduler", daemon=True)
            _thread.start()
    return True
