"""What the installed web app keeps on a phone for a lecture marked "Dùng khi không có mạng"
(issue 14, item 4; the service worker is static/js/sw.js, the page's side static/js/pwa.js).

`offline_files` lists, relative to the preview's content base (`/library/content/<token>/`),
every file the player asks for: each SCO's launch page under ``s/<n>/`` (the content view puts
the runtime in it) and every file of the package under ``f/`` (the service worker answers a
SCO's other files, ``s/<n>/<path>``, from ``f/<path>``), or the single PDF / video. The token is
the browser's: it takes it from the lecture page it keeps, so that page and its files agree.
Nothing here is counted as a view or a download, and nothing is stored on the server.
"""

from __future__ import annotations

import zipfile
from urllib.parse import quote

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import Http404
from django.templatetags.static import static
from django.urls import reverse

from . import content
from .models import Publication
from .offline import offline_kind
from .preview import file_name, toc_entries, with_parameters

# Characters a browser leaves as they are in a URL path (WHATWG path percent-encode set aside):
# the listed paths must be the ones the player's pages will ask for, byte for byte.
_PATH_SAFE = "/!$&'()*+,;=:@[]^|~%"
# The player's own files (cached with the app shell, kept for every saved lecture).
PLAYER_STATIC = {
    "scorm": ["vendor/scorm-again/scorm-again.min.js", "js/scorm-player.js", "js/preview.js"],
    "html5": ["js/preview.js"],
    "pdf": ["js/pdf-viewer.js", "vendor/pdfjs/pdf.min.mjs", "vendor/pdfjs/pdf.worker.min.mjs"],
    "video": [],
}


def offline_available(publication: Publication) -> bool:
    """A lecture the phone can keep: one with an offline copy (`offline.offline_kind`), played
    from the app's own host (a package on a separate content host is outside the app's service
    worker, whose scope is the app's origin)."""
    kind = offline_kind(publication)
    if kind is None:
        return False
    return kind in ("pdf", "video") or not content.content_origin()


def _path(relpath: str) -> str:
    return quote(relpath, safe=_PATH_SAFE)


def _package_sizes(publication: Publication) -> dict[str, int]:
    """{path inside the package: bytes} of the uploaded zip, safe paths only (the extracted
    package holds the same files: the check refused anything else)."""
    try:
        handle = default_storage.open(publication.version.file_key, "rb")
    except FileNotFoundError:
        raise Http404 from None
    sizes = {}
    with handle, zipfile.ZipFile(handle) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            try:
                relpath = content.safe_relpath(info.filename)
            except Http404:
                continue
            sizes[relpath] = info.file_size
    return sizes


def offline_files(publication: Publication) -> list[dict]:
    """[{"path": relative to the content base, "bytes": size}] of a publication the phone can
    keep (`offline_available`); Http404 otherwise."""
    if not offline_available(publication):
        raise Http404
    version = publication.version
    kind = offline_kind(publication)
    if kind in ("pdf", "video"):
        return [{"path": f"f/{_path(file_name(version))}", "bytes": version.size}]
    sizes = _package_sizes(publication)
    files = []
    if kind == "scorm":
        for entry in toc_entries(version):
            if entry.index is None:
                continue
            href = with_parameters(_path(entry.href), entry.parameters)
            files.append({"path": f"s/{entry.index}/{href}", "bytes": sizes.get(entry.href.split("?")[0], 0)})
    files += [{"path": f"f/{_path(relpath)}", "bytes": size} for relpath, size in sorted(sizes.items())]
    return files


def offline_manifest(publication: Publication, *, page_url: str) -> dict:
    """The JSON answer of the file-list endpoint (`pwa_views.publication_offline_files`)."""
    files = offline_files(publication)
    kind = offline_kind(publication)
    return {
        "publication": publication.pk,
        "title": publication.lecture.title,
        "kind": kind,
        "page": page_url,
        "content_prefix": content_prefix(),
        "files": files,
        "static": [static(path) for path in PLAYER_STATIC[kind]],
        "bytes": sum(f["bytes"] for f in files),
    }


def offline_bytes(publication: Publication) -> int:
    """What keeping the lecture on the phone takes, shown before the download. Read from the
    package's zip directory once per version (the lecture page shows it at every visit)."""
    version = publication.version
    key = f"repository.pwa.bytes:{version.pk}:{(version.sha256 or '')[:16]}"
    return cache.get_or_set(key, lambda: sum(f["bytes"] for f in offline_files(publication)), 24 * 3600)


def content_prefix() -> str:
    """The path every preview content URL starts with (before the token)."""
    return reverse("repository:content", args=["t", "x"]).rsplit("/t/", 1)[0] + "/"
