"""Shared bookkeeping: when each periodic job last ran (elearning/scheduler.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicRun(models.Model):
    """The last run of one entry of the beat schedule by the embedded scheduler. Every web
    process reads and claims the same row, so a job runs once whatever the number of processes
    (two runserver or gunicorn workers, a restart in between)."""

    name = models.CharField(_("công việc định kỳ"), max_length=100, unique=True)
    last_run_at = models.DateTimeField(_("lần chạy gần nhất"), null=True, blank=True)

    class Meta:
        verbose_name = _("công việc định kỳ")
        verbose_name_plural = _("công việc định kỳ")

    def __str__(self):
        return self.name
