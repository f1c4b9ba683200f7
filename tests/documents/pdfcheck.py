"""Reading generated PDFs back: pages and text (pypdf), fonts (poppler's pdffonts)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pages_text(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def pdffonts(pdf: bytes) -> list[dict]:
    """The fonts of the PDF as pdffonts lists them (name, type, emb, sub), or a skip when poppler's
    pdffonts is not installed (a newcomer's machine; CI installs poppler-utils)."""
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdffonts", f.name], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type [encoding…] emb sub uni object ID: the flags are the 5th-to-last..3rd-to-last.
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "line": line})
    return rows


def font_family(name: str) -> str:
    """ "ABCDEF+DocSerif-BoldItalic" → "DocSerif"."""
    return name.split("+", 1)[-1].split("-", 1)[0].split(",", 1)[0]


def keep(pdf: bytes, name: str) -> bytes:
    """With KEEP_PDFS=1, also writes the PDF to test-artifacts/ to look at (pdftoppm)."""
    if os.environ.get("KEEP_PDFS"):
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    return pdf
