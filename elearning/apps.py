from django.apps import AppConfig


class ElearningConfig(AppConfig):
    """The project package as an app, so that its system checks are registered."""

    name = "elearning"
    verbose_name = "Học liệu số"

    def ready(self):
        from django.core import checks

        from .checks import secret_key_check

        checks.register(secret_key_check, checks.Tags.security, deploy=True)
