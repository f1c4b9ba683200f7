from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = _("Liên thông")

    def ready(self):
        # The LTI player's preview grant (``l<launch>``) is registered with the repository.
        from .lti import launches  # noqa: F401
