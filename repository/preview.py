"""The one preview component: what a person sees of a lecture version wherever they judge or use
it — the author's lecture page before submitting, the review case next to the decision or
evaluation form, and the library (DESIGN.md §6).

A preview URL carries a signed token (repository.content) naming the version, the user and the
*grant* under which a page showed the version to that user:

``a``        the lecture's own authors (owner and co-authors), any checked version;
``c<id>``    a review case: its reviewers may preview the case's version before publication
             (registered by the reviews app, which knows who reviews a case);
``p<id>``    a publication in a library the user may browse.

Every content request checks its grant again, so a retracted publication, a user moved out of
scope or a reviewer taken off a case stops playing at once. Apps above this one register their
grants in `AppConfig.ready` (`register_grant`); this app knows nothing of review cases.

Paths under `/library/content/<token>/`:

``f/<path>``        a package file, or the single file of a video or PDF (named by the upload);
``s/<n>/<path>``    the files of the n-th launchable item of a SCORM package: its launch page gets
                    the runtime for that SCO (its own state), relative links stay inside ``s/<n>/``;
``r/preview.pdf``   the PDF rendition of a PPTX/DOCX made by LibreOffice after the check;
``_/runtime/<n>``   the runtime's reports for the n-th SCO (POST, text/plain, no cookie).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.core import signing
from django.http import Http404
from django.urls import reverse

from submissions.checks.messages import SEQUENCING_LABELS
from submissions.formats import MEDIA_FORMATS, OFFICE_FORMATS, PACKAGE_FORMATS, SCORM_FORMATS
from submissions.models import LectureVersion
from submissions.rules import can_preview_own_version

from . import content
from .models import Publication
from .rules import can_view_publication

Check = LectureVersion.Check
Rendition = LectureVersion.Preview
MAX_TOC_ENTRIES = 2000

# kind -> check(user, version, ref) -> bool. Filled at import time here and by apps above.
_GRANTS: dict[str, Callable] = {}
# kind -> frame_ancestors(ref) -> origins that, beside the app, frame the player under that grant.
_FRAME_ANCESTORS: dict[str, Callable] = {}


def register_grant(kind: str, check: Callable, frame_ancestors: Callable | None = None) -> None:
    """Lets an app above this one authorise previews: `check(user, version, ref)` answers whether
    the user may still see the version under the grant `<kind><ref>` (e.g. reviews' case ``c``).
    `frame_ancestors(ref)` names the other origins whose pages frame the player under that grant
    (an LMS framing the LTI player, interop.lti): the launch page must let them be its ancestors."""
    _GRANTS[kind] = check
    if frame_ancestors is not None:
        _FRAME_ANCESTORS[kind] = frame_ancestors


def grant_frame_ancestors(grant: str) -> list[str]:
    kind, ref = grant[:1], grant[1:]
    extra = _FRAME_ANCESTORS.get(kind)
    return list(extra(int(ref))) if extra is not None and ref.isdigit() else []


def grant_allows(user, version: LectureVersion, grant: str) -> bool:
    kind, ref = grant[:1], grant[1:]
    check = _GRANTS.get(kind)
    if check is None or (ref and not ref.isdigit()):
        return False
    return bool(check(user, version, int(ref) if ref else None))


def publication_grant(publication: Publication) -> str:
    return f"p{publication.pk}"


def _publication_allows(user, version, ref) -> bool:
    publication = (
        Publication.objects.select_related("scope", "lecture", "version")
        .filter(pk=ref, version=version)
        .first()
    )
    return publication is not None and publication.is_active and can_view_publication(user, publication)


def _authors_allow(user, version, ref) -> bool:
    return ref is None and can_preview_own_version(user, version)


register_grant("p", _publication_allows)
register_grant("a", _authors_allow)
AUTHOR_GRANT = "a"


# --- The package's table of contents ----------------------------------------------------------


@dataclass(frozen=True)
class TocEntry:
    """One line of the player's table of contents: an item of the manifest's organization.
    `index` is its position among the launchable items (the ``s/<n>/`` path), None for a heading."""

    title: str
    depth: int
    index: int | None
    identifier: str = ""
    href: str = ""
    parameters: str = ""
    sco: bool = False

    @property
    def indent(self) -> int:
        """Bootstrap's padding step for the entry's depth (ps-0 … ps-5)."""
        return min(self.depth, 5)


def _organization(outline: dict) -> dict | None:
    organizations = [o for o in outline.get("organizations") or [] if isinstance(o, dict)]
    default = outline.get("default")
    return next((o for o in organizations if o.get("identifier") == default), None) or (
        organizations[0] if organizations else None
    )


def toc_entries(version: LectureVersion) -> list[TocEntry]:
    """The default organization's visible items, depth first (the first organization when the
    manifest names no default). A package whose check recorded no outline (checked before
    outlines were kept) has one entry: its launch page."""
    organization = _organization(version.package_outline or {})
    entries: list[TocEntry] = []
    if organization is not None:
        launchable = 0
        stack = [(item, 0) for item in reversed(organization.get("items") or [])]
        while stack and len(entries) < MAX_TOC_ENTRIES:
            item, depth = stack.pop()
            if not isinstance(item, dict) or item.get("visible") is False:
                continue
            href = str(item.get("href") or "")
            entries.append(
                TocEntry(
                    title=str(item.get("title") or item.get("identifier") or ""),
                    depth=depth,
                    index=launchable if href else None,
                    identifier=str(item.get("identifier") or ""),
                    href=href,
                    parameters=str(item.get("parameters") or ""),
                    sco=bool(item.get("sco")),
                )
            )
            launchable += 1 if href else 0
            stack.extend((child, depth + 1) for child in reversed(item.get("children") or []))
    if not any(e.index is not None for e in entries) and version.launch_path:
        title = (organization or {}).get("title") or version.lecture.title
        entries = [TocEntry(title=str(title), depth=0, index=0, href=version.launch_path, sco=True)]
    return entries


def launchable(version: LectureVersion, index: int) -> TocEntry | None:
    return next((e for e in toc_entries(version) if e.index == index), None)


def with_parameters(href: str, parameters: str) -> str:
    path = quote(content.safe_relpath(href))
    if not parameters:
        return path
    if parameters[0] in "?#":
        return path + parameters
    return f"{path}?{parameters}"


# --- The component's context ------------------------------------------------------------------


def content_base(token: str) -> str:
    return reverse("repository:content", args=[token, "_"])[:-1]


def file_name(version: LectureVersion) -> str:
    """The single file's name in its content path (the upload's own name, else a neutral one)."""
    return (version.original_name or "").rsplit("/", 1)[-1] or f"bai-giang.{version.detected_format or 'bin'}"


def preview_for(request, version: LectureVersion, *, grant: str) -> dict:
    """What `components/preview.html` needs to show `version` to `request.user` under `grant`
    (the caller has checked that the user may see the page; the content view checks the grant)."""
    context = {"version": version, "kind": "none"}
    if not version.file_key:
        return {**context, "kind": "nofile"}
    token = content.make_token(version_id=version.pk, user_id=request.user.pk, grant=grant)
    # While the check or the PDF rendition is under way the component asks again by itself.
    poll_url = reverse("repository:preview_part", args=[token])
    if version.check_status == Check.PENDING:
        return {**context, "kind": "checking", "poll_url": poll_url}
    if version.check_status == Check.FAILED:
        return {**context, "kind": "failed", "messages": version.check_messages}
    if version.check_status != Check.PASSED:
        return context
    base = content_base(token)
    fmt = version.detected_format
    if fmt in PACKAGE_FORMATS and version.package_prefix and version.launch_path:
        origin = content.content_origin()
        scorm = fmt in SCORM_FORMATS
        entries = toc_entries(version) if scorm else []
        items = [
            {"entry": e, "src": f"{origin}{base}s/{e.index}/{with_parameters(e.href, e.parameters)}"}
            if e.index is not None
            else {"entry": e, "src": ""}
            for e in entries
        ]
        first = next((i["src"] for i in items if i["src"]), "")
        return {
            **context,
            "kind": "package",
            "scorm": scorm,
            "src": first or f"{origin}{base}f/{quote(content.safe_relpath(version.launch_path))}",
            # SECURITY: no allow-same-origin on the app's own host: the package runs in an
            # opaque origin. On a separate content host it may keep that host's origin.
            "sandbox": "allow-scripts allow-forms allow-popups" + (" allow-same-origin" if origin else ""),
            "toc": items if sum(1 for i in items if i["src"]) > 1 else [],
            "ignored": [
                SEQUENCING_LABELS.get(k, k) for k in (version.package_outline or {}).get("ignored", [])
            ],
            "external_hosts": version.external_hosts,
        }
    if fmt in MEDIA_FORMATS:
        # Media cannot run script: the <video> element loads it from the app's own host.
        return {
            **context,
            "kind": "video",
            "src": f"{base}f/{quote(file_name(version))}",
            "type": f"video/{fmt}",
        }
    if fmt == "pdf":
        return {**context, "kind": "pdf", "src": f"{base}f/{quote(file_name(version))}"}
    if fmt in OFFICE_FORMATS:
        if version.preview_status == Rendition.READY and version.preview_key:
            return {**context, "kind": "pdf", "src": f"{base}r/preview.pdf", "converted": True}
        if version.preview_status == Rendition.UNAVAILABLE:
            return {**context, "kind": "unavailable"}
        if version.preview_status == Rendition.FAILED:
            return {**context, "kind": "convert_failed"}
        return {**context, "kind": "converting", "poll_url": poll_url}
    return context


def preview_again(request, token: str) -> dict:
    """The component again for the version and grant of a token the page was given (the
    component's own polling): Http404 unless the token is the signed-in user's and still good."""
    try:
        version_id, user_id, grant = content.read_token(token)
    except signing.BadSignature:
        raise Http404 from None
    version = LectureVersion.objects.select_related("lecture").filter(pk=version_id).first()
    # SECURITY: a token handed to one user shows nothing to another, and the grant is checked again.
    if version is None or user_id != request.user.pk or not grant_allows(request.user, version, grant):
        raise Http404
    return preview_for(request, version, grant=grant)


def resume_state(scorm_version: str, cmi: dict) -> dict:
    """The part of a SCO's stored CMI data given back at its next launch: where the learner was
    and what they had done (read-only and session elements are the runtime's own)."""
    if not isinstance(cmi, dict):
        return {}

    def pick(data, *path):
        for key in path:
            data = data.get(key) if isinstance(data, dict) else None
        return data if isinstance(data, str | int | float) and data != "" else None

    if scorm_version.startswith("2004"):
        wanted = {
            "location": pick(cmi, "location"),
            "completion_status": pick(cmi, "completion_status"),
            "success_status": pick(cmi, "success_status"),
            "suspend_data": pick(cmi, "suspend_data"),
        }
        state = {k: v for k, v in wanted.items() if v is not None and v != "unknown"}
        score = {k: pick(cmi, "score", k) for k in ("raw", "min", "max", "scaled")}
    else:
        core = {
            "lesson_location": pick(cmi, "core", "lesson_location"),
            "lesson_status": pick(cmi, "core", "lesson_status"),
        }
        core = {k: v for k, v in core.items() if v is not None and v != "not attempted"}
        state = {"core": core} if core else {}
        if (suspend := pick(cmi, "suspend_data")) is not None:
            state["suspend_data"] = suspend
        score = {k: pick(cmi, "core", "score", k) for k in ("raw", "min", "max")}
        score = {k: v for k, v in score.items() if v is not None}
        if score:
            state.setdefault("core", {})["score"] = score
        return state
    score = {k: v for k, v in score.items() if v is not None}
    if score:
        state["score"] = score
    return state
