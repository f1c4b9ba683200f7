import mimetypes

from django.apps import AppConfig


class ElearningConfig(AppConfig):
    """The project package as an app, so that its system checks are registered."""

    name = "elearning"
    verbose_name = "Học liệu số"

    def ready(self):
        # pdf.js ships ES modules (.mjs). A browser refuses a module script served with a type
        # other than JavaScript, and Python 3.11 knows .mjs only where /etc/mime.types lists it;
        # Django's static view and runserver ask `mimetypes` (whitenoise has its own table).
        mimetypes.add_type("text/javascript", ".mjs")

        from django.core import checks

        from .checks import secret_key_check

        checks.register(secret_key_check, checks.Tags.security, deploy=True)
