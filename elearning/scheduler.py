"""The embedded default's own scheduler: Celery beat's schedule, run in a thread of the web process.

Without Redis there is no beat, yet lost checks must still be swept and abandoned uploads
cleaned. `start()` runs each entry of `app.conf.beat_schedule` (the one schedule of record, in
elearning/celery.py) when its crontab says so, calling the task in-process. Every periodic task
is idempotent and locks with `skip_locked`, so two processes running it at once do no harm.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)
_started = threading.Lock()
_thread: threading.Thread | None = None


def run_due(last_run: dict[str, object], now=None) -> list[str]:
    """Runs every entry of the beat schedule that is due; returns the names that ran."""
    from .celery import app

    now = now or timezone.now()
    ran = []
    for name, entry in app.conf.beat_schedule.items():
        schedule = entry["schedule"]
        schedule = schedule if hasattr(schedule, "is_due") else _every(schedule)
        previous = last_run.setdefault(name, now)
        if not schedule.is_due(previous).is_due:
            continue
        last_run[name] = now
        try:
            app.tasks[entry["task"]].apply()
            ran.append(name)
        except Exception:  # one failing job must not stop the others
            logger.exception("periodic task %s failed", name)
    return ran


def _every(seconds):
    from celery.schedules import schedule

    return schedule(seconds)


def _loop(interval: float) -> None:
    from django.db import close_old_connections

    last_run: dict[str, object] = {}
    while True:
        time.sleep(interval)
        try:
            run_due(last_run)
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
