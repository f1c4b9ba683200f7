"""Resources an HTML5 or SCORM package loads from outside itself.

The preview serves a package under a sandbox CSP that blocks every other origin, so a page
that takes jQuery from a CDN, its fonts from Google Fonts or a video from a YouTube iframe
shows up blank or broken there. The check names those hosts in a warning (never a refusal:
the package may work in a school's LMS that allows them) and records them for the preview,
which explains the blocked resources.

Only what a browser *loads* counts, read from the package's HTML, CSS and JavaScript without
extracting anything:

* HTML: ``src`` of script, img, iframe, frame, source, video, audio, embed, track, input;
  ``href`` of a ``<link>`` whose ``rel`` loads something (stylesheet, icon, preload,
  modulepreload, prefetch, manifest), and of an SVG ``<image>``; ``data`` of object,
  ``poster`` of video, ``srcset``, ``background``; plus the CSS and scripts inline in the
  page. HTML comments are dropped first, which also drops the IE conditional comments that
  Bootstrap-era templates use to load html5shiv from a CDN (never loaded by today's browsers).
* CSS: ``url(...)`` and ``@import``.
* JavaScript: ``import ... from``, ``import(...)``, ``fetch``, ``importScripts``,
  ``$.getScript``, ``XMLHttpRequest.open``, ``something.src = ...``,
  ``setAttribute("src", ...)``, and markup built in strings (``'<script src="...">'``).

Not counted: ``<a href>`` links and other navigation (``window.open``, ``location.href``):
following a link is not loading; URLs that are only text (namespace URIs such as
``http://www.w3.org/2000/svg``, doctype URLs, the ``http://www.imsglobal.org`` schema
locations of a manifest, licence headers), because none of them sits in a loading position;
and, as a belt and braces, the namespace hosts in :data:`NAMESPACE_HOSTS`.

Bounded: at most :data:`MAX_SCANNED_FILES` files, the first :data:`MAX_FILE_BYTES` of each
and :data:`MAX_TOTAL_BYTES` in all (pages first, then style sheets, then scripts, the launch
page before everything), every pattern with bounded repetition; at most :data:`MAX_HOSTS`
hosts are kept.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from urllib.parse import urlsplit

from .archives import _Entry, _read_prefix

MAX_SCANNED_FILES = 500
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 32 * 1024 * 1024
MAX_HOSTS = 20

KINDS = {".html": 0, ".htm": 0, ".xhtml": 0, ".css": 1, ".js": 2, ".mjs": 2}  # scan order
NAMESPACE_HOSTS = {
    "www.w3.org", "w3.org", "www.imsglobal.org", "www.imsproject.org", "www.adlnet.org",
    "ltsc.ieee.org", "purl.org", "ns.adobe.com", "schemas.openxmlformats.org",
    "schemas.microsoft.com", "xmlns.com", "www.idpf.org",
}  # fmt: skip

_URL = r"(?:(?i:https?):)?//[^\s\"'`<>()\\]{1,2000}"
_COMMENT_HTML = re.compile(r"<!--.*?-->", re.S)
_COMMENT_CSS = re.compile(r"/\*.*?\*/", re.S)
_TAG = re.compile(
    r"<(script|img|iframe|frame|source|video|audio|embed|track|input|link|object|body|image)\b([^>]{0,4000})>",
    re.I,
)
_ATTR = re.compile(r"""([\w:.-]{1,40})\s*=\s*(?:"([^"]{0,4000})"|'([^']{0,4000})'|([^\s"'>]{1,4000}))""")
_LOADING_RELS = {"stylesheet", "icon", "apple-touch-icon", "mask-icon", "preload", "modulepreload",
                 "prefetch", "manifest", "import"}  # fmt: skip
_CSS = [
    re.compile(r"url\(\s{0,20}[\"']?\s{0,20}(" + _URL + ")", re.I),
    re.compile(r"@import\s{1,20}[\"'](" + _URL + ")", re.I),
]
_JS = [
    re.compile(r"\bimport\s{0,20}(?:[\w$*{},\s]{0,400}\sfrom\s{0,20})?\(?\s{0,20}[\"'`](" + _URL + ")"),
    re.compile(r"\b(?:fetch|importScripts|getScript)\s{0,20}\(\s{0,20}[\"'`](" + _URL + ")"),
    re.compile(r"\.open\(\s{0,20}[\"'`][A-Za-z]{3,7}[\"'`]\s{0,20},\s{0,20}[\"'`](" + _URL + ")"),
    re.compile(r"\.src\s{0,20}=\s{0,20}[\"'`](" + _URL + ")"),
    re.compile(r"setAttribute\(\s{0,20}[\"']src[\"']\s{0,20},\s{0,20}[\"'`](" + _URL + ")"),
]
_HOST = re.compile(r"^[\w-]{1,63}(?:\.[\w-]{1,63})+$|^localhost$")


def _host(url: str) -> str:
    """The host of an absolute or protocol-relative URL, or "" when it does not name one."""
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return ""
    return host if _HOST.match(host) and host not in NAMESPACE_HOSTS else ""


def _tag_urls(text: str):
    for match in _TAG.finditer(text):
        tag = match.group(1).lower()
        attrs = {
            m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
            for m in _ATTR.finditer(match.group(2))
        }
        wanted = ["src", "srcset", "background"]
        if tag == "link":
            rels = set(attrs.get("rel", "").lower().split())
            wanted = ["href"] if rels & _LOADING_RELS else []
        elif tag == "image":
            wanted = ["href", "xlink:href"]
        elif tag == "object":
            wanted = ["data"]
        elif tag == "video":
            wanted = ["src", "poster"]
        for name in wanted:
            value = attrs.get(name, "")
            candidates = (
                [part.split()[0] for part in value.split(",") if part.strip()]
                if name == "srcset"
                else [value]
            )
            yield from (c for c in candidates if c.lower().startswith(("http:", "https:", "//")))


def _urls(text: str, kind: int):
    if kind == 0:
        text = _COMMENT_HTML.sub(" ", text)
    if kind in (0, 1):
        css = _COMMENT_CSS.sub(" ", text)
        yield from (m.group(1) for pattern in _CSS for m in pattern.finditer(css))
    if kind in (0, 2):
        # Markup and URLs inside JS strings are often escaped: "<script src=\"https:\/\/…\">".
        unescaped = text.replace("\\/", "/").replace('\\"', '"').replace("\\'", "'")
        yield from _tag_urls(unescaped)
        yield from (m.group(1) for pattern in _JS for m in pattern.finditer(unescaped))


def external_hosts(zf: zipfile.ZipFile, by_name: dict[str, _Entry], launch: str = "") -> list[str]:
    """The hosts the package's pages, styles and scripts load resources from, sorted."""
    files = sorted(
        (
            (name != launch, KINDS[posixpath.splitext(name)[1].lower()], name.count("/"), name)
            for name, entry in by_name.items()
            if not entry.is_dir and posixpath.splitext(name)[1].lower() in KINDS
        ),
    )[:MAX_SCANNED_FILES]
    hosts: set[str] = set()
    budget = MAX_TOTAL_BYTES
    for _not_launch, kind, _depth, name in files:
        if budget <= 0 or len(hosts) >= MAX_HOSTS:
            break
        data = _read_prefix(zf, by_name[name].info, min(MAX_FILE_BYTES, budget))
        budget -= len(data)
        for url in _urls(data.decode("utf-8", errors="replace"), kind):
            if host := _host(url):
                hosts.add(host)
    return sorted(hosts)[:MAX_HOSTS]
