"""The LTI 1.3 tool's endpoints: JWKS, OIDC login initiation, launch, the Deep Linking picker,
the launched lecture's player and its score.

# SECURITY — cookies and CSRF inside the LMS's iframe: the tool runs in a cross-site iframe, where
# browsers do not send the app's session and CSRF cookies (SameSite=Lax). So no view here relies
# on them. Between login and launch PyLTI1p3 keeps the state in its own `lti1p3-*` cookies
# (SameSite=None; Secure over HTTPS) and the launch data in the cache; after the launch, the only
# credential is an unguessable token bound to that launch (the Deep Linking launch id, or the
# player's launch token) carried in the URL or the form, never an ambient cookie, so the POSTs
# are exempt from Django's cookie-based CSRF check without being forgeable by another site.
# The pages may be framed only by the registered platform's origins (CSP frame-ancestors).
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.http import Http404, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.launch_data_storage.cache import DjangoCacheDataStorage
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem

from . import keys, launches
from .conf import ModelToolConf
from .models import LtiPlatform

log = logging.getLogger(__name__)
NONCE_SECONDS = 2 * 60 * 60
PICKER_LIMIT = 200


class MessageLaunch(DjangoMessageLaunch):
    """PyLTI1p3's launch with a one-time nonce: a replayed id_token fails even within its life."""

    def validate_nonce(self):
        super().validate_nonce()
        nonce = str(self._get_jwt_body().get("nonce"))
        if not cache.add(f"interop.lti.nonce:{nonce}", 1, NONCE_SECONDS):
            raise LtiException("nonce đã được dùng (id_token gửi lại)")
        return self


def _storage():
    return DjangoCacheDataStorage(cache_name="default")


def _framed(response, platform: LtiPlatform | None, form_to: str = ""):
    """Framable by the platform's origins only; a Deep Linking form may post back to it."""
    ancestors = platform.allowed_frame_origins() if platform else []
    replace = {"frame-ancestors": ancestors or ["'none'"]}
    if form_to:
        replace["form-action"] = ["'self'", form_to]
    response._csp_replace = replace
    return response


def _error(request, message: str, status=400, platform=None):
    response = render(request, "interop/lti/error.html", {"message": message}, status=status)
    return _framed(response, platform)


@require_GET
def jwks(request):
    """The tool's public keys: the active one and those rotated out but not yet retired."""
    response = JsonResponse(keys.jwks())
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@csrf_exempt  # SECURITY: the LMS posts here from its own site; nothing is changed but PyLTI1p3's state
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def login(request):
    """OIDC login initiation: checks the issuer is registered, then redirects to its auth URL."""
    target = request.POST.get("target_link_uri") or request.GET.get("target_link_uri") or ""
    launch_url = request.build_absolute_uri(reverse("interop:lti_launch"))
    if target != launch_url:
        return _error(request, "Địa chỉ mở công cụ (target_link_uri) không phải của hệ thống này.")
    try:
        oidc = DjangoOIDCLogin(request, ModelToolConf(), launch_data_storage=_storage())
        return oidc.redirect(launch_url)
    except (LtiException, OIDCException) as error:
        log.warning("LTI login refused: %s", error)
        return _error(request, "Nền tảng LMS này chưa được đăng kí hoặc đã ngừng dùng.")


def _launch_platform(message_launch) -> LtiPlatform | None:
    data = message_launch.get_launch_data()
    aud = data.get("aud")
    client_id = aud[0] if isinstance(aud, list) and aud else aud
    return ModelToolConf().platform(data.get("iss"), str(client_id or "")) or None


@csrf_exempt  # SECURITY: a signed id_token from the LMS authorises this POST, not a cookie
@xframe_options_exempt  # framing is governed by the CSP frame-ancestors of the platform
@never_cache
@require_POST
def launch(request):
    message_launch = MessageLaunch(request, ModelToolConf(), launch_data_storage=_storage())
    try:
        data = message_launch.get_launch_data()
    except LtiException as error:
        log.warning("LTI launch refused: %s", error)
        return _error(
            request,
            "Không xác thực được lượt mở từ LMS (chữ kí, nền tảng, deployment hoặc phiên không hợp lệ). "
            "Hãy mở lại bài từ LMS.",
        )
    platform = _launch_platform(message_launch)
    if message_launch.is_deep_link_launch():
        if not (message_launch.check_teacher_access() or message_launch.check_staff_access()):
            return _error(request, "Chỉ giáo viên mới chọn được bài giảng.", status=403, platform=platform)
        identity = launches.identity_for(platform, data)
        context = {
            "launch_id": message_launch.get_launch_id(),
            "publications": launches.pickable(identity)[:PICKER_LIMIT],
            "identity": identity,
        }
        return _framed(render(request, "interop/lti/picker.html", context), platform)
    if not message_launch.is_resource_launch():
        return _error(request, "Loại yêu cầu LTI này chưa được hỗ trợ.", platform=platform)
    publication = launches.linked_publication(platform, data.get(launches.CLAIM + "custom") or {})
    if publication is None:
        return _error(
            request, "Bài giảng của liên kết này không còn trong thư viện.", status=404, platform=platform
        )
    lti_launch = launches.start_launch(platform, data, publication)
    return _play(request, lti_launch)


@csrf_exempt  # SECURITY: the Deep Linking launch id (random, cached, one picker) authorises this POST
@xframe_options_exempt
@never_cache
@require_POST
def deep_link(request):
    launch_id = request.POST.get("launch_id", "")[:200]
    try:
        message_launch = MessageLaunch.from_cache(
            launch_id, request, ModelToolConf(), launch_data_storage=_storage()
        )
    except LtiException:
        message_launch = None
    if message_launch is None or not launch_id or not message_launch.is_deep_link_launch():
        return _error(request, "Phiên chọn bài đã hết hạn. Hãy bấm chọn nội dung lại trong LMS.")
    platform = _launch_platform(message_launch)
    identity = launches.identity_for(platform, message_launch.get_launch_data())
    pk = request.POST.get("publication", "")
    publication = launches.pickable(identity).filter(pk=int(pk)).first() if pk.isdigit() else None
    if publication is None:
        return _error(request, "Bài giảng này không có trong danh sách bạn được chọn.", 404, platform)
    resource = (
        DeepLinkResource()
        .set_url(request.build_absolute_uri(reverse("interop:lti_launch")))
        .set_title(publication.lecture.title[:200])
        .set_custom_params(
            {"publication": str(publication.pk), "link": launches.link_signature(platform, publication)}
        )
    )
    if message_launch.has_ags():
        resource.set_lineitem(
            LineItem()
            .set_label(publication.lecture.title[:200])
            .set_score_maximum(launches.SCORE_MAXIMUM)
            .set_resource_id(str(publication.pk))
        )
    deep_link_obj = message_launch.get_deep_link()
    settings_claim = message_launch.get_launch_data().get(
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings", {}
    )
    return_url = settings_claim.get("deep_link_return_url", "")
    context = {
        "return_url": return_url,
        "jwt": deep_link_obj.get_response_jwt([resource]),
        "publication": publication,
    }
    response = render(request, "interop/lti/deep_link_return.html", context)
    return _framed(response, platform, form_to=return_url)


def _play(request, lti_launch):
    context = {
        "launch": lti_launch,
        "preview": launches.player(lti_launch),
        "lecture": lti_launch.publication.lecture,
    }
    return _framed(render(request, "interop/lti/player.html", context), lti_launch.platform)


@xframe_options_exempt
@never_cache
@require_GET
def play(request, token):
    """The launched lecture again (a reload inside the LMS): the token is the only credential."""
    lti_launch = launches.live_launch(token)
    if lti_launch is None:
        raise Http404
    return _play(request, lti_launch)


@csrf_exempt  # SECURITY: the launch token in the path (no cookie) binds this POST to one launch
@require_POST
def score(request, token):
    """The player reports that the SCORM runtime committed or finished: the result the runtime
    stored for the launch's guest is queued for the LMS gradebook (AGS)."""
    lti_launch = launches.live_launch(token)
    if lti_launch is None:
        return HttpResponseForbidden("Lượt mở bài đã hết hạn.")
    if request.content_type not in ("application/json", "text/plain"):
        return HttpResponseBadRequest("Yêu cầu không hợp lệ.")
    result = launches.launch_result(lti_launch)
    queued = launches.queue_grade(lti_launch)
    return JsonResponse({"queued": queued, **result})
