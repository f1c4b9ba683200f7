"""Production never starts on the repository's development key, and preview tokens are signed
with a key of their own, derived from SECRET_KEY, that survives a rotation."""

import os
import subprocess
import sys
from pathlib import Path

from django.core import signing
from django.urls import reverse

from elearning.checks import DEVELOPMENT_SECRET_KEY, secret_key_check
from repository import content
from tests.repository.factories import make_lecture, make_version, preview_token, publish

ROOT = Path(__file__).resolve().parent.parent
# DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests and is itself a deploy error.
ENV_OF_THE_TEST_RUN = (
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "DEBUG",
    "REDIS_URL",
    "HTTPS",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _manage(*args, **env):
    """manage.py in a fresh process, with only the given variables of those the test run may have set."""
    environment = {k: v for k, v in os.environ.items() if k not in ENV_OF_THE_TEST_RUN}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_refuses_to_start():
    """DEBUG=0 without SECRET_KEY stops with a message naming the variable and how to make one."""
    result = _manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr


def test_debug_runs_on_the_development_key():
    """DEBUG=1 (make run) starts without any SECRET_KEY."""
    result = _manage("check", DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_on_the_development_key():
    """`check --deploy` is an error with the development key and passes that check with a real one."""
    bad = _manage("check", "--deploy", DEBUG="0", SECRET_KEY=DEVELOPMENT_SECRET_KEY)
    assert bad.returncode != 0
    assert "elearning.E001" in bad.stderr
    good = _manage("check", "--deploy", DEBUG="0", SECRET_KEY="k" * 10 + os.urandom(24).hex())
    assert good.returncode == 0, good.stderr
    assert "elearning.E00" not in good.stderr + good.stdout


def test_development_key_among_fallbacks_is_an_error(settings):
    """A rotation that still accepts the development key is refused too."""
    settings.SECRET_KEY = "a-real-key-" + os.urandom(20).hex()
    assert secret_key_check(None) == []
    settings.SECRET_KEY_FALLBACKS = ["an-older-key", DEVELOPMENT_SECRET_KEY]
    assert [e.id for e in secret_key_check(None)] == ["elearning.E002"]


def _preview_publication(demo):
    unit = demo.unit("THCS-LQD-TOAN")
    lecture = make_lecture(demo.user("demo.gv"), unit, title="Phân số")
    return publish(make_version(lecture, kind="scorm12"), unit)


def _style_url(token):
    return reverse("repository:content", args=[token, "f/shared/style.css"])


def test_token_signed_with_the_raw_secret_key_is_refused(demo, client):
    """A token signed on SECRET_KEY itself, with the preview's salt or another, does not open the preview."""
    pub = _preview_publication(demo)
    payload = {"v": pub.version_id, "u": demo.user("demo.gv").pk, "g": f"p{pub.pk}"}
    assert client.get(_style_url(preview_token(pub, demo.user("demo.gv")))).status_code == 200
    for salt in (content.TOKEN_SALT, content.TOKEN_KEY_PURPOSE, "other"):
        forged = signing.TimestampSigner(salt=salt).sign_object(payload)
        assert client.get(_style_url(forged)).status_code == 404


def test_token_from_a_fallback_key_still_opens_the_preview(demo, client, settings):
    """After a rotation a token made under the old key works while that key is listed in SECRET_KEY_FALLBACKS."""
    pub = _preview_publication(demo)
    old_key = settings.SECRET_KEY
    token = preview_token(pub, demo.user("demo.gv"))
    settings.SECRET_KEY = "the-new-key-" + os.urandom(20).hex()
    assert client.get(_style_url(token)).status_code == 404
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert client.get(_style_url(token)).status_code == 200
