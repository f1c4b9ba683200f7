"""System checks of the project's own settings, run by `manage.py check` (and `--deploy`).

Registered in `ElearningConfig.ready`. The development key lives here so that the settings and
the check compare against the same value.
"""

from django.conf import settings
from django.core import checks

# SECURITY: this key is public (it is in the repository). Only DEBUG=1 (`make run`) falls back on
# it; `check --deploy` refuses it as SECRET_KEY and among SECRET_KEY_FALLBACKS.
DEVELOPMENT_SECRET_KEY = "embedded-default-insecure-key-change-me-in-production-0123456789"

HOW_TO_MAKE_A_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def secret_key_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """An error when the signing key, or one still accepted, is the repository's development key."""
    errors = []
    if settings.SECRET_KEY == DEVELOPMENT_SECRET_KEY:
        errors.append(
            checks.Error(
                "SECRET_KEY is the development key written in the repository: anyone can sign "
                "sessions, password reset links and preview tokens.",
                hint=f"Set the SECRET_KEY environment variable to a long random value: {HOW_TO_MAKE_A_KEY}",
                id="elearning.E001",
            )
        )
    if DEVELOPMENT_SECRET_KEY in settings.SECRET_KEY_FALLBACKS:
        errors.append(
            checks.Error(
                "SECRET_KEY_FALLBACKS contains the development key written in the repository.",
                hint="Remove it from the SECRET_KEY_FALLBACKS environment variable.",
                id="elearning.E002",
            )
        )
    return errors
