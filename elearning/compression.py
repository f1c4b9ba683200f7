"""Light pages on weak school connections (issue 16, item 5).

- `TextGZipMiddleware`: Django's GZipMiddleware (with its BREACH mitigation, random padding of
  the gzip header since Django 4.2) limited to text: HTML, htmx fragments, JSON, CSS, JS, SVG.
  Lecture files, ZIP packages, PDFs and ranged responses pass untouched.
- `HashedStaticFilesStorage`: WhiteNoise's compressed manifest storage whose URLs carry the
  content hash in every mode, DEBUG included (`make run`), so that WhiteNoise marks them
  immutable and a browser asks for them once. Used when STATIC_MANIFEST=1 (after collectstatic).
"""

from django.middleware.gzip import GZipMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage

TEXT_TYPES = {
    "text/html",
    "text/plain",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
}


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if response.status_code == 206 or content_type not in TEXT_TYPES:
            return response
        return super().process_response(request, response)


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def url(self, name, force=False):
        return super().url(name, force=True)
