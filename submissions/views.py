"""Creating a lecture, its file's check and download, and the JSON endpoints of the multipart
upload protocol. The lecture pages that show its review life are the reviews app's
(reviews/lecture_views.py).

Views fetch through selectors (out of scope → 404), call one service, and show the service's
Vietnamese message; an action not offered answers 403 (the service checks again under lock).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from elearning.errors import json_errors, service_call
from elearning.http import attachment_response
from elearning.text import json_strings

from . import selectors, services, uploads
from .forms import LectureForm


@login_required
@require_http_methods(["GET", "POST"])
def lecture_create(request):
    # SECURITY: only people who teach in a department can create lectures.
    if not services.departments_of(request.user).exists():
        raise PermissionDenied
    form = LectureForm(request.POST or None, author=request.user)

    def page(status=200):
        return render(
            request, "submissions/lecture_form.html", {"form": form, "lecture": None}, status=status
        )

    if request.method != "POST" or not form.is_valid():
        return page()

    def created(lecture):
        messages.success(request, _("Đã tạo bản nháp. Bây giờ hãy tải tệp bài giảng lên."))
        return redirect(lecture)

    data = form.cleaned_data
    return service_call(
        request,
        lambda: services.lecture_create(
            author=request.user,
            department=data["department"],
            subject=data["subject"],
            grade=data["grade"],
            title=data["title"],
            textbook_series=data["textbook_series"],
            description=data["description"],
            keywords=data["keywords"],
            co_authors=list(data["co_authors"]),
            lesson=data["lesson"],
        ),
        success=created,
        page=page,
        form=form,
    )


@login_required
@require_POST
def version_check_retry(request, pk):
    lecture = selectors.lecture_get(request.user, pk)
    draft = selectors.draft_version(lecture)
    if "retry_check" not in selectors.draft_actions(lecture, request.user, draft):
        raise PermissionDenied

    def asked(_version):
        messages.success(request, _("Đã yêu cầu kiểm tra lại tệp; kết quả sẽ hiện trên trang này."))
        return redirect(lecture)

    return service_call(
        request,
        lambda: services.version_check_retry(version=draft, actor=request.user),
        success=asked,
        page=lambda status: redirect(lecture),
        back=lambda: redirect(lecture),
    )


@login_required
@require_POST
def version_licence(request, pk):
    """The owner picks the licence of the lecture's draft (fixed when the version is submitted)."""
    lecture = selectors.lecture_get(request.user, pk)
    draft = selectors.draft_version(lecture)
    if "edit" not in selectors.draft_actions(lecture, request.user, draft):
        raise PermissionDenied

    def chosen(version):
        messages.success(
            request, _("Đã chọn giấy phép: %(licence)s.") % {"licence": version.get_licence_display()}
        )
        return redirect(lecture)

    return service_call(
        request,
        lambda: services.version_set_licence(
            version=draft, actor=request.user, licence=request.POST.get("licence", "")
        ),
        success=chosen,
        page=lambda status: redirect(lecture),
        back=lambda: redirect(lecture),
    )


@login_required
@require_GET
def version_download(request, pk):
    """The version's file as an attachment with an RFC 6266 name; never inline from our origin."""
    version = selectors.version_get(request.user, pk)
    if not version.file_key:
        raise Http404
    filename = version.original_name or uploads.safe_name(version.file_key)
    return attachment_response(key=version.file_key, filename=filename)


# --- Multipart upload protocol (JSON) -------------------------------------------------------


def _declared_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def _json_body(request) -> dict:
    if (_declared_length(request) or 0) > 1024 * 1024:
        raise uploads.UploadError(_("Yêu cầu quá lớn."), status=413)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise ValidationError(_("Yêu cầu không hợp lệ.")) from None
    # SECURITY: NUL cannot be stored in PostgreSQL text and has no place in these requests.
    try:
        has_nul = any("\x00" in text for text in json_strings(data))
    except ValueError:
        raise ValidationError(_("Yêu cầu không hợp lệ.")) from None
    if has_nul:
        raise ValidationError(_("Yêu cầu chứa kí tự NUL không hợp lệ."))
    if not isinstance(data, dict):
        raise ValidationError(_("Yêu cầu không hợp lệ."))
    return data


@require_POST
@json_errors
def upload_create(request):
    """createMultipartUpload: {version, filename, type, size} → {uploadId, key[, partUrl]}."""
    data = _json_body(request)
    if not str(data.get("version", "")).isdigit():
        raise ValidationError(_("Thiếu phiên bản bài giảng."))
    version = selectors.version_get(request.user, int(data["version"]))
    session = services.upload_start(
        version=version,
        actor=request.user,
        filename=str(data.get("filename", "")),
        content_type=str(data.get("type", "")),
        size=data.get("size"),
    )
    return JsonResponse({"uploadId": str(session.pk), "key": session.key, **_part_url(session)}, status=201)


def _part_url(session) -> dict:
    """Embedded back end: where part n goes is `partUrl` + "n/", so the browser PUTs each part
    without first asking for its URL (one request per part instead of two)."""
    if session.backend != "local":
        return {}
    return {"partUrl": reverse("submissions:upload_list_parts", args=[session.pk])}


@require_GET
@json_errors
def upload_sign_part(request, pk, number):
    """signPart: {url, headers} — a presigned S3 URL, or our own part URL on the embedded back end."""
    session = selectors.upload_session_get(request.user, pk)
    if not session.is_active:
        raise uploads.UploadError(_("Phiên tải lên này đã kết thúc; hãy tải tệp lên lại."), status=409)
    services.upload_touch(session=session)
    return JsonResponse(uploads.backend_for(session.backend).sign_part(session, number))


@require_http_methods(["PUT"])
@json_errors
def upload_part(request, pk, number):
    """Embedded back end: receives one part body by streaming (never `request.body`)."""
    session = selectors.upload_session_get(request.user, pk)
    if not session.is_active or session.backend != "local":
        raise uploads.UploadError(_("Phiên tải lên này đã kết thúc; hãy tải tệp lên lại."), status=409)
    declared = _declared_length(request)
    # A chunked body has no length to reserve against the session's size: refused, never stored.
    if declared is None or declared < 0:
        raise uploads.UploadError(
            _("Thiếu độ dài phần tải lên (Content-Length); trình duyệt cần gửi lại phần này."), status=411
        )
    if declared > min(session.size, settings.LECTURE_MAX_FILE_BYTES):
        raise uploads.UploadError(uploads.too_large_message(), status=413)
    part = uploads.LocalMultipart().receive_part(session, number, request, declared)
    services.upload_touch(session=session)
    response = HttpResponse(status=200)
    response["ETag"] = part.etag
    return response


@require_GET
@json_errors
def upload_resume(request):
    """The unfinished upload of the same file (?version, filename, size, upload), if any:
    {uploadId, key, uploaded, size[, partUrl]}; the browser then lists its parts and skips them. 204 when
    there is nothing to resume."""
    version, size = request.GET.get("version", ""), request.GET.get("size", "")
    if not version.isdigit() or not size.isdigit():
        raise ValidationError(_("Yêu cầu không hợp lệ."))
    session = selectors.upload_session_resumable(
        request.user,
        version_id=int(version),
        filename=uploads.check_filename(request.GET.get("filename", "")),
        size=int(size),
        upload_id=request.GET.get("upload", ""),
    )
    if session is None:
        return HttpResponse(status=204)
    services.upload_touch(session=session)
    parts = uploads.backend_for(session.backend).list_parts(session)
    return JsonResponse(
        {
            "uploadId": str(session.pk),
            "key": session.key,
            "uploaded": sum(p.size for p in parts),
            "size": session.size,
            **_part_url(session),
        }
    )


@require_GET
@json_errors
def upload_list_parts(request, pk):
    """listParts: the parts already stored, so an interrupted upload resumes from there."""
    session = selectors.upload_session_get(request.user, pk)
    if not session.is_active:
        raise uploads.UploadError(_("Phiên tải lên này đã kết thúc; hãy tải tệp lên lại."), status=409)
    parts = uploads.backend_for(session.backend).list_parts(session)
    return JsonResponse([p.as_json() for p in parts], safe=False)


@require_POST
@json_errors
def upload_complete(request, pk):
    """completeMultipartUpload: {parts: [{PartNumber, ETag}]} → {location}; the check is queued."""
    session = selectors.upload_session_get(request.user, pk)
    data = _json_body(request)
    parts = data.get("parts")
    if not isinstance(parts, list):
        raise ValidationError(_("Danh sách phần tải lên không hợp lệ."))
    version = services.upload_complete(session=session, actor=request.user, parts=parts)
    return JsonResponse(
        {
            "location": version.lecture.get_absolute_url(),
            "version": version.pk,
            "status": version.check_status,
            "message": selectors.check_progress_text(version),
        }
    )


@require_http_methods(["DELETE"])
@json_errors
def upload_abort(request, pk):
    """abortMultipartUpload: deletes the stored parts."""
    session = selectors.upload_session_get(request.user, pk)
    if session.is_active:
        services.upload_abort(session=session, actor=request.user)
    return HttpResponse(status=204)
