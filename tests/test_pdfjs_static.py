"""The vendored pdf.js: its ES modules are served as JavaScript (a browser refuses a module of any
other type), by whitenoise and by Django's static view, and the CSP lets its worker start."""

import mimetypes
import re
from pathlib import Path

from django.conf import settings as django_settings
from django.contrib.staticfiles.views import serve
from django.test import RequestFactory

ROOT = Path(__file__).resolve().parents[1]
PDFJS = ROOT / "static" / "vendor" / "pdfjs"


def test_mjs_is_javascript_even_without_the_systems_mime_table():
    """The app registers .mjs itself: Python 3.11 knows it only where /etc/mime.types lists it."""
    assert mimetypes.guess_type("pdf.min.mjs")[0] == "text/javascript"


def test_whitenoise_serves_the_pdfjs_modules_as_javascript(client, settings):
    """Through the production middleware (whitenoise, here finding files as with DEBUG)."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    for name in ("pdf.min.mjs", "pdf.worker.min.mjs"):
        response = client.get(f"/static/vendor/pdfjs/{name}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/javascript"), response["Content-Type"]


def test_djangos_static_view_serves_the_pdfjs_modules_as_javascript():
    """runserver and the test live server answer through this view."""
    response = serve(
        RequestFactory().get("/static/vendor/pdfjs/pdf.min.mjs"), "vendor/pdfjs/pdf.min.mjs", insecure=True
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")


def test_the_csp_allows_workers_from_the_app_only():
    """pdf.js starts its worker from our static files; nothing else may start one, and no eval is allowed."""
    directives = django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["worker-src"] == ["'self'"]
    assert "'unsafe-eval'" not in directives["script-src"]


def test_pdfjs_is_vendored_with_its_licence_and_version():
    """Only the two minified modules and the licence; the version is recorded; no source-map comments."""
    assert sorted(p.name for p in PDFJS.iterdir()) == ["LICENSE", "pdf.min.mjs", "pdf.worker.min.mjs"]
    assert "Apache License" in (PDFJS / "LICENSE").read_text()
    versions = (ROOT / "static" / "vendor" / "VERSIONS.txt").read_text()
    assert re.search(r"^pdfjs\s+\d+\.\d+\.\d+\s+pdfjs-dist", versions, re.M)
    for name in ("pdf.min.mjs", "pdf.worker.min.mjs"):
        assert "sourceMappingURL" not in (PDFJS / name).read_text(encoding="utf-8")
