"""What a validated LTI message turns into here: the LMS user's identity (and guest learner), the
lectures an instructor may pick, the signed link of a picked lecture, the launch of a lecture and
the score the SCORM runtime reported for it."""

from __future__ import annotations

import datetime
import hashlib
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from interop.catalogue import catalogue_q
from repository import preview
from repository.models import Publication, RuntimeRecord
from repository.selectors import publications_visible_to

from .models import LtiIdentity, LtiLaunch, LtiPlatform

LAUNCH_HOURS = 8
LINK_SALT = "interop.lti.link"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_MAXIMUM = 100


# --- Identities ---------------------------------------------------------------------------------


def identity_for(platform: LtiPlatform, claims: dict) -> LtiIdentity:
    """The LMS user of the launch, by the platform's stable subject; name and email refreshed."""
    identity, _ = LtiIdentity.objects.get_or_create(platform=platform, sub=str(claims.get("sub", ""))[:255])
    identity.name = str(claims.get("name") or "")[:200]
    identity.email = str(claims.get("email") or "")[:254]
    identity.last_seen = timezone.now()
    identity.save(update_fields=["name", "email", "last_seen"])
    return identity


def guest_for(identity: LtiIdentity):
    """The guest learner account of an LMS user: no role, no usable password, never signed in. The
    player's content token names it; nothing else of the platform opens for it."""
    if identity.guest_id:
        return identity.guest
    User = get_user_model()
    digest = hashlib.sha256(f"{identity.platform_id}:{identity.sub}".encode()).hexdigest()[:20]
    guest = User(username=f"lti-{digest}", full_name=identity.name or "Học sinh từ LMS")
    guest.set_unusable_password()
    guest.save()
    identity.guest = guest
    identity.save(update_fields=["guest"])
    return guest


# --- Deep Linking -------------------------------------------------------------------------------


def pickable(identity: LtiIdentity) -> QuerySet:
    """The lectures an instructor may link: those its linked account sees in the library; an
    unlinked instructor sees what anyone may: the city library's published lectures."""
    if identity.user_id and identity.user.is_active:
        qs = publications_visible_to(identity.user).filter(state=Publication.State.ACTIVE)
    else:
        qs = Publication.objects.filter(catalogue_q())
    return qs.select_related("lecture__subject", "scope", "version").order_by("-published_at", "-pk")


def link_signature(platform: LtiPlatform, publication: Publication) -> str:
    """Signs the publication of a link for this platform: an LMS administrator who edits the
    link's custom parameters cannot point it at a lecture the instructor could not pick."""
    return signing.Signer(salt=LINK_SALT).sign(f"{platform.pk}:{publication.pk}").rsplit(":", 1)[1]


def linked_publication(platform: LtiPlatform, custom: dict) -> Publication | None:
    pk, sig = str(custom.get("publication", "")), str(custom.get("link", ""))
    if not pk.isdigit():
        return None
    try:
        signing.Signer(salt=LINK_SALT).unsign(f"{platform.pk}:{pk}:{sig}")
    except signing.BadSignature:
        return None
    return (
        Publication.objects.select_related("lecture", "version", "scope")
        .filter(pk=int(pk), state=Publication.State.ACTIVE)
        .first()
    )


# --- Launches -----------------------------------------------------------------------------------


def start_launch(platform: LtiPlatform, claims: dict, publication: Publication) -> LtiLaunch:
    identity = identity_for(platform, claims)
    guest_for(identity)
    return LtiLaunch.objects.create(
        platform=platform,
        deployment_id=str(claims.get(CLAIM + "deployment_id", ""))[:200],
        identity=identity,
        publication=publication,
        resource_link_id=str((claims.get(CLAIM + "resource_link") or {}).get("id", ""))[:255],
        ags=claims.get(AGS_CLAIM) or {},
        expires_at=timezone.now() + datetime.timedelta(hours=LAUNCH_HOURS),
    )


def live_launch(token: str) -> LtiLaunch | None:
    launch = (
        LtiLaunch.objects.select_related(
            "platform", "identity__guest", "publication__version", "publication__lecture"
        )
        .filter(token=token)
        .first()
    )
    if launch is None or not launch.is_live or launch.publication.state != Publication.State.ACTIVE:
        return None
    return launch


def _launch_allows(user, version, ref) -> bool:
    """The preview grant ``l<launch id>``: the launch's guest, its lecture's version, while live."""
    launch = live_launch_by_pk(ref)
    return (
        launch is not None
        and user is not None
        and launch.identity.guest_id == user.pk
        and launch.publication.version_id == version.pk
    )


def live_launch_by_pk(pk) -> LtiLaunch | None:
    token = LtiLaunch.objects.filter(pk=pk).values_list("token", flat=True).first()
    return live_launch(token) if token else None


def player(launch: LtiLaunch) -> dict:
    """The library's preview component for the launch's guest, under the launch's own grant."""
    as_guest = SimpleNamespace(user=launch.identity.guest)
    return preview.preview_for(as_guest, launch.publication.version, grant=f"l{launch.pk}")


# --- Scores -------------------------------------------------------------------------------------


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def sco_result(scorm_version: str, cmi: dict) -> tuple[float | None, bool]:
    """(scaled score 0..1 or None, completed) of one SCO's committed CMI data."""
    cmi = cmi if isinstance(cmi, dict) else {}
    if scorm_version.startswith("2004"):
        score = cmi.get("score") or {}
        scaled = _number(score.get("scaled"))
        if scaled is None and _number(score.get("raw")) is not None:
            scaled = _number(score["raw"]) / (_number(score.get("max")) or 100)
        done = cmi.get("completion_status") == "completed" or cmi.get("success_status") in (
            "passed",
            "failed",
        )
        return (None if scaled is None else max(0.0, min(1.0, scaled))), done
    core = cmi.get("core") or {}
    score = core.get("score") or {}
    raw = _number(score.get("raw"))
    scaled = None if raw is None else raw / (_number(score.get("max")) or 100)
    done = core.get("lesson_status") in ("completed", "passed", "failed")
    return (None if scaled is None else max(0.0, min(1.0, scaled))), done


def launch_result(launch: LtiLaunch) -> dict:
    """The result of the launch's viewing, from what the player's SCORM runtime committed (the
    repository's RuntimeRecord of the guest): the mean scaled score of the SCOs that reported one,
    completed when every launchable SCO is."""
    version = launch.publication.version
    records = RuntimeRecord.objects.filter(version=version, user=launch.identity.guest)
    results = [sco_result(r.scorm_version, r.cmi) for r in records]
    scores = [s for s, _ in results if s is not None]
    launchable = sum(1 for e in preview.toc_entries(version) if e.index is not None) or 1
    completed = sum(1 for _, done in results if done) >= launchable
    return {
        "score": round(sum(scores) / len(scores) * SCORE_MAXIMUM, 2) if scores else None,
        "maximum": SCORE_MAXIMUM,
        "completed": completed,
        "started": bool(results),
    }


def queue_grade(launch: LtiLaunch) -> bool:
    """Queues the grade of the launch for the LMS (False when the LMS offered no AGS)."""
    from .tasks import send_grade

    scopes = launch.ags.get("scope") or []
    if not any(s.endswith("/scope/score") for s in scopes):
        return False
    LtiLaunch.objects.filter(pk=launch.pk).update(grade_status=LtiLaunch.Grade.QUEUED)
    transaction.on_commit(lambda: send_grade.delay(launch.pk))
    return True


def _launch_frame_ancestors(ref) -> list[str]:
    launch = LtiLaunch.objects.select_related("platform").filter(pk=ref).first()
    return launch.platform.allowed_frame_origins() if launch is not None else []


preview.register_grant("l", _launch_allows, _launch_frame_ancestors)
