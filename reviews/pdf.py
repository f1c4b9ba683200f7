"""Minutes as a PDF in Vietnamese administrative form, rendered by WeasyPrint without network.

Fonts: Liberation Serif (metric-compatible with Times New Roman, the font of administrative
documents) or DejaVu Serif, both with Vietnamese glyphs, loaded by `@font-face` from local
files. The URL fetcher refuses every URL that is not a file under an allowed font directory.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

FONT_DIRS = [
    Path(settings.BASE_DIR) / "static" / "fonts",
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/truetype/dejavu"),
]
FONT_FILES = {
    "regular": ["LiberationSerif-Regular.ttf", "DejaVuSerif.ttf"],
    "bold": ["LiberationSerif-Bold.ttf", "DejaVuSerif-Bold.ttf"],
    "italic": ["LiberationSerif-Italic.ttf", "DejaVuSerif-Italic.ttf"],
    "bolditalic": ["LiberationSerif-BoldItalic.ttf", "DejaVuSerif-BoldItalic.ttf"],
}


class NetworkRefused(ValueError):
    pass


class LocalFontFetcher(URLFetcher):
    """Fetches only file:// URLs inside FONT_DIRS; everything else is refused."""

    def fetch(self, url, headers=None):
        # SECURITY: no network and no arbitrary local files while rendering a PDF.
        if not url.startswith("file://"):
            raise NetworkRefused(f"refused non-file URL: {url}")
        path = Path(url[len("file://") :].split("?")[0]).resolve()
        if not any(path.is_relative_to(d.resolve()) for d in FONT_DIRS if d.exists()):
            raise NetworkRefused(f"refused file outside the font directories: {url}")
        return super().fetch(url, headers)


def font_faces() -> dict[str, str]:
    """file:// URL of the first available font file for each style."""
    found = {}
    for style, names in FONT_FILES.items():
        for name in names:
            for directory in FONT_DIRS:
                candidate = directory / name
                if candidate.exists():
                    found.setdefault(style, candidate.resolve().as_uri())
                    break
            if style in found:
                break
    return found


def minutes_pdf_bytes(context: dict) -> bytes:
    html = render_to_string("reviews/minutes_pdf.html", {**context, "fonts": font_faces()})
    return HTML(string=html, base_url=str(FONT_DIRS[0]), url_fetcher=LocalFontFetcher()).write_pdf()
