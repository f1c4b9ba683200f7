import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elearning.settings")
application = get_wsgi_application()

# Without Celery beat (the embedded default), the periodic tasks run in this process.
from elearning import scheduler  # noqa: E402

scheduler.start()
