import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elearning.settings")

app = Celery("elearning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery's own beat schedule (DESIGN.md section 11); times are Asia/Ho_Chi_Minh.
app.conf.beat_schedule = {
    "lost-check-sweeper": {
        "task": "submissions.tasks.version_checks_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    "lost-preview-sweeper": {
        "task": "submissions.tasks.version_previews_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    "abandoned-upload-cleanup": {
        "task": "submissions.tasks.upload_sessions_cleanup_task",
        "schedule": crontab(minute=17),
    },
    "approved-document-sweeper": {
        "task": "reviews.tasks.approved_documents_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    "daily-review-reminders": {
        "task": "reviews.tasks.review_reminders_task",
        "schedule": crontab(hour=7, minute=0),
    },
}
