"""Approved documents: a visible approval stamp, a PAdES signature, and checking both back.

Three functions that know nothing of lectures or records, so any approved PDF goes through the
same calls (`reviews.approved` applies them to the minutes of an approval):

- `stamp_pdf(pdf, who=, role=, unit=, date=, number=)`: a framed "ĐÃ PHÊ DUYỆT" box on the last
  page, under the last line of text (on a page of its own at the end when the last page is
  full). The box is drawn by WeasyPrint with the project's one font (Liberation Serif, see
  elearning/pdf.py), so Vietnamese diacritics render and the font is embedded; pypdf lays it
  onto the page. The stamp rewrites the file, so it comes before any signature.
- `sign_pdf(pdf, p12_path, password)`: a PAdES baseline signature (pyHanko, ETSI.CAdES.detached,
  SHA-256) in an incremental update, invisible: the stamp is what a reader sees.
- `verify_pdf(pdf, trust_roots=)`: is there a signature, does it still match the bytes it
  covers, who signed, does it cover the whole file (nothing appended since), does its chain end
  at a trusted root. Nothing is fetched from the network (no OCSP/CRL: revocation soft-fails).

Certificates per issuing unit come from the environment (`SIGNING_CERTIFICATES`, README):
`certificate_for(unit_code)` reads one; a unit without one gets the stamp alone.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import io
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.html import escape

logger = logging.getLogger(__name__)

MM = 72 / 25.4
STAMP_WIDTH_MM = 86
# Low enough to sit in the blank space kept for a handwritten signature, like a seal.
STAMP_HEIGHT_MM = 16.5
# Room kept under the stamp, and between the stamp and the text around it.
BOTTOM_MARGIN_MM = 6
GAP_MM = 0.8
RIGHT_MARGIN_MM = 15
SIGNATURE_FIELD = "PheDuyet"


class SigningError(Exception):
    """The certificate could not be read or the signature could not be made."""


# --- Certificates from the environment --------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    unit_code: str
    p12_path: str
    password: bytes | None


def certificate_for(unit_code: str) -> Certificate | None:
    """The signing certificate configured for the unit, or None.

    `settings.SIGNING_CERTIFICATES` maps a unit code to a PKCS#12 file path, or to
    `{"p12": path, "password_env": NAME}` where the environment variable NAME holds the password
    (read when signing, never stored in settings)."""
    entry = (getattr(settings, "SIGNING_CERTIFICATES", None) or {}).get(unit_code)
    if not entry:
        return None
    if isinstance(entry, str):
        return Certificate(unit_code, entry, None)
    password_env = entry.get("password_env")
    password = os.environ.get(password_env, "") if password_env else ""
    return Certificate(unit_code, entry["p12"], password.encode() if password else None)


def _load_signer(p12_path: str, password: bytes | None):
    from pyhanko.sign import signers

    try:
        data = Path(p12_path).read_bytes()
        return signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=password)
    except Exception as exc:  # OSError, a wrong password, a file that is not PKCS#12
        raise SigningError(f"cannot load the PKCS#12 file {p12_path}: {exc}") from exc


def certificate_subject(p12_path: str, password: bytes | str | None) -> str:
    """The common name (else the whole subject) of the PKCS#12 file's certificate."""
    if isinstance(password, str):
        password = password.encode()
    subject = _load_signer(p12_path, password or None).signing_cert.subject
    return subject.native.get("common_name") or subject.human_friendly


@functools.lru_cache(maxsize=256)
def _self_signed_in(p12_path: str, modified: float, password: bytes | None) -> tuple:
    """The self-signed certificates of one PKCS#12 file (cached per path, change time and password)."""
    signer = _load_signer(p12_path, password)
    return tuple(c for c in [signer.signing_cert, *signer.cert_registry] if c.self_signed in ("yes", "maybe"))


def configured_trust_roots() -> list:
    """The self-signed certificates found in the configured PKCS#12 files (the units' CAs, or a
    unit's own self-signed certificate): what the verify page trusts."""
    roots = {}
    for code in getattr(settings, "SIGNING_CERTIFICATES", None) or {}:
        cert = certificate_for(code)
        try:
            found = _self_signed_in(cert.p12_path, os.stat(cert.p12_path).st_mtime, cert.password)
        except (OSError, SigningError):
            logger.warning("signing certificate of %s cannot be read", code)
            continue
        roots.update({c.sha256: c for c in found})
    return list(roots.values())


# --- The stamp --------------------------------------------------------------------------------


def _stamp_page(lines: list[tuple[str, str]]) -> bytes:
    """A one-page PDF the size of the stamp: the framed lines, in the document font."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from .pdf import STATIC_DIR, LocalFileFetcher

    fonts_url = (STATIC_DIR / "vendor" / "fonts" / "liberation-serif").as_uri()
    css = f"""
    @font-face {{ font-family: "DocSerif"; src: url("{fonts_url}/LiberationSerif-Regular.ttf"); }}
    @font-face {{ font-family: "DocSerif"; src: url("{fonts_url}/LiberationSerif-Bold.ttf"); font-weight: bold; }}
    @page {{ size: {STAMP_WIDTH_MM}mm {STAMP_HEIGHT_MM}mm; margin: 0; }}
    html {{ font-family: "DocSerif"; font-size: 8pt; line-height: 1.15; color: #b3261e; }}
    body {{ margin: 0; }}
    .box {{ box-sizing: border-box; height: {STAMP_HEIGHT_MM}mm; border: 1.4pt solid #b3261e;
            border-radius: 1.5mm; padding: 0.6mm 2mm; text-align: center; }}
    .box div {{ white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
    .title {{ font-weight: bold; font-size: 10pt; }}
    .b {{ font-weight: bold; }}
    """
    body = "".join(f'<div class="{cls}">{escape(text)}</div>' for cls, text in lines)
    html = f'<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body><div class="box">{body}</div></body></html>'
    fetcher = LocalFileFetcher()
    fonts = FontConfiguration()
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=css, font_config=fonts, url_fetcher=fetcher)], font_config=fonts
    )


def _text_runs(page) -> list[tuple[float, float, float, int]]:
    """Every run of text on the page as (x, baseline y, font size, characters) in PDF user space
    (origin bottom left)."""
    runs: list[tuple[float, float, float, int]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            size = abs(font_size * (tm[3] or tm[0]) * (cm[3] or cm[0])) or 12
            runs.append((x, y, size, len(text.strip())))

    page.extract_text(visitor_text=visit)
    return runs


def _stamp_top(page, x0: float, x1: float) -> float | None:
    """Where the stamp's top edge goes on the page, spanning x0..x1: just under the last line of
    text when there is room, else the lowest free band in the lower half of the page (no text in
    x0..x1, e.g. the blank space kept for a handwritten signature) tall enough, else None."""
    box = page.mediabox
    floor = float(box.bottom) + BOTTOM_MARGIN_MM * MM
    ceiling = float(box.top) - 20 * MM
    need = (STAMP_HEIGHT_MM + 2 * GAP_MM) * MM
    runs = _text_runs(page)
    if not runs:
        return ceiling
    # Each run occupies its baseline minus the descent up to the cap height; its width is estimated
    # (half the font size a character).
    busy = sorted(
        (y - 0.3 * size, y + 0.9 * size) for x, y, size, n in runs if x < x1 and x + 0.5 * size * n > x0
    )
    lowest = min(y - 0.3 * size for _, y, size, _ in runs)
    if lowest - floor >= need:
        return lowest - GAP_MM * MM
    below = floor
    half = float(box.bottom) + float(box.height) / 2
    for bottom, top in busy:
        if bottom - below >= need and bottom <= half:
            return bottom - GAP_MM * MM
        below = max(below, top)
    return None


def stamp_lines(*, who: str, role: str, unit: str, date: datetime.date, number: str) -> list[tuple[str, str]]:
    return [
        ("title", "ĐÃ PHÊ DUYỆT"),
        ("b", f"{who} – {role}" if role else who),
        ("", unit),
        ("", f"Ngày {date:%d/%m/%Y}" + (f" · Số: {number}" if number else "")),
    ]


def stamp_pdf(pdf: bytes, *, who: str, role: str, unit: str, date: datetime.date, number: str = "") -> bytes:
    """The PDF with the approval stamp on its last page (right-aligned, below the last line of
    text; on an added page when the last one has no room)."""
    from pypdf import PdfReader, PdfWriter, Transformation

    stamp = PdfReader(
        io.BytesIO(_stamp_page(stamp_lines(who=who, role=role, unit=unit, date=date, number=number)))
    )
    stamp_page = stamp.pages[0]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    page = writer.pages[-1]
    box = page.mediabox
    left, bottom = float(box.left), float(box.bottom)
    width, height = float(box.width), float(box.height)
    x = left + width - (RIGHT_MARGIN_MM + STAMP_WIDTH_MM) * MM
    top = _stamp_top(page, x, x + STAMP_WIDTH_MM * MM)
    if top is None:
        page = writer.add_blank_page(width=width, height=height)
        top = bottom + height - 20 * MM
    y = top - STAMP_HEIGHT_MM * MM
    page.merge_transformed_page(stamp_page, Transformation().translate(x, y))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- The signature ----------------------------------------------------------------------------


def _off_the_loop(fn, *args, **kwargs):
    """pyHanko's synchronous calls run their coroutine with `asyncio.run`, which refuses a thread
    that already runs an event loop (an ASGI server, or Playwright's sync API in the browser
    tests). There the call runs in a short-lived thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def sign_pdf(
    pdf: bytes,
    p12_path: str,
    password: bytes | str | None,
    *,
    reason: str = "Phê duyệt",
    location: str = "",
    name: str | None = None,
) -> bytes:
    """The PDF with a PAdES signature made with the PKCS#12 key, appended as an incremental
    update (the bytes before it are kept as they are). Raises SigningError."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    if isinstance(password, str):
        password = password.encode()
    signer = _load_signer(p12_path, password or None)
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location or None,
        name=name,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        return _off_the_loop(signers.sign_pdf, writer, meta, signer=signer).getvalue()
    except Exception as exc:
        raise SigningError(f"signing failed: {exc}") from exc


# --- Verification -----------------------------------------------------------------------------


@dataclass
class Verification:
    readable: bool = True
    signed: bool = False
    # The signed bytes still match the signature (nothing inside the signed range changed).
    intact: bool = False
    # Intact and cryptographically valid.
    valid: bool = False
    # The certificate chain ends at a trusted root.
    trusted: bool = False
    # The signature covers the whole file: nothing was appended after signing.
    whole_file: bool = False
    signer: str = ""
    signed_at: datetime.datetime | None = None

    @property
    def unchanged_since_signing(self) -> bool:
        return self.signed and self.valid and self.whole_file


def verify_pdf(pdf: bytes, *, trust_roots: list | None = None) -> Verification:
    """Checks the last signature of the PDF (the approval's). `trust_roots`: asn1crypto
    certificates; by default those of the configured units."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:
        return Verification(readable=False)
    if not signatures:
        return Verification()
    sig = signatures[-1]
    roots = configured_trust_roots() if trust_roots is None else trust_roots
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    result = Verification(signed=True)
    try:
        status = _off_the_loop(validate_pdf_signature, sig, context)
    except (SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        logger.info("signature could not be validated: %s", exc)
        return result
    result.intact = bool(status.intact)
    result.valid = bool(status.intact and status.valid)
    result.trusted = bool(status.trusted)
    result.whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    cert = status.signing_cert
    if cert is not None:
        result.signer = cert.subject.native.get("common_name") or cert.subject.human_friendly
    result.signed_at = status.signer_reported_dt
    return result
