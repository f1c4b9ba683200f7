from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Thẩm định")

    def ready(self):
        # The reviewers of a case may preview its version before publication: the library's
        # content view asks this app through the grant it registers (repository.preview).
        from repository.preview import register_grant

        from .rules import case_preview_allows

        register_grant("c", case_preview_allows)
