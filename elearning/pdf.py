"""Administrative documents as PDF, rendered by WeasyPrint with the project's own font and no network.

One serif family is shipped with the project, Liberation Serif 2.1.5 (SIL OFL 1.1, metric-
compatible with Times New Roman, the font of Vietnamese administrative documents, with every
Vietnamese glyph): `static/vendor/fonts/liberation-serif/`. `static/css/document.css` declares
it by `@font-face` (regular, bold, italic, bold italic) and uses no other family, so the PDF
embeds that family only, whatever fonts the machine has (tests check it with `pdffonts`).

The URL fetcher refuses every URL that is not a file under the font folder or the document
stylesheet: no web font, no image from the network, no local file a template could name.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

STATIC_DIR = Path(settings.BASE_DIR) / "static"
FONT_DIR = STATIC_DIR / "vendor" / "fonts" / "liberation-serif"
STYLESHEET = STATIC_DIR / "css" / "document.css"
ALLOWED = [FONT_DIR, STYLESHEET]


class NetworkRefused(ValueError):
    pass


class LocalFileFetcher(URLFetcher):
    """Fetches only the shipped font files and the document stylesheet; refuses everything else."""

    def fetch(self, url, headers=None):
        # SECURITY: no network and no arbitrary local files while rendering a PDF.
        if not url.startswith("file://"):
            raise NetworkRefused(f"refused non-file URL: {url}")
        path = Path(url[len("file://") :].split("?")[0]).resolve()
        if not any(path == a.resolve() or path.is_relative_to(a.resolve()) for a in ALLOWED):
            raise NetworkRefused(f"refused file outside the document assets: {url}")
        return super().fetch(url, headers)


def render_pdf(template_name: str, context: dict) -> bytes:
    """The template rendered as an A4 PDF with the document stylesheet (the template adds its own
    rules in a <style> element; it must not name another font family)."""
    html = render_to_string(template_name, context)
    fetcher = LocalFileFetcher()
    fonts = FontConfiguration()
    stylesheet = CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher)
    document = HTML(string=html, base_url=str(STATIC_DIR) + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
