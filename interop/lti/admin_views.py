"""The officers' page of LMS registrations: the city leader sees and edits every platform, a
district officer those of the district and its schools. Others: 403 (signed in) or login."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import Unit
from accounts.rules import scope_for

from .forms import PlatformForm, units_of
from .models import LtiPlatform


def tool_urls(request) -> dict:
    """The tool's URLs an LMS administrator pastes into the LMS (absolute, on this host)."""

    def url(name):
        return request.build_absolute_uri(reverse(name))

    return {
        "login": url("interop:lti_login"),
        "launch": url("interop:lti_launch"),
        "deep_link": url("interop:lti_launch"),
        "jwks": url("interop:lti_jwks"),
    }


def _units(request):
    q = units_of(scope_for(request.user))
    if q is None:
        raise PermissionDenied
    return Unit.objects.filter(q, is_active=True).order_by("path")


def _platforms(request, units):
    if scope_for(request.user).everything:
        return LtiPlatform.objects.select_related("unit")
    return LtiPlatform.objects.filter(unit__in=units).select_related("unit")


@login_required
@require_http_methods(["GET"])
def platform_list(request):
    units = _units(request)
    context = {
        "platforms": _platforms(request, units).prefetch_related("deployments"),
        "urls": tool_urls(request),
    }
    return render(request, "interop/lti/platforms.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def platform_edit(request, pk=None):
    units = _units(request)
    platform = get_object_or_404(_platforms(request, units), pk=pk) if pk else None
    form = PlatformForm(request.POST or None, instance=platform, units=units)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if saved.created_by_id is None:
            saved.created_by = request.user
        saved.save()
        form.instance = saved
        form.save()
        messages.success(request, f"Đã lưu nền tảng “{saved.name}”.")
        return redirect("interop:lti_platforms")
    return render(
        request,
        "interop/lti/platform_form.html",
        {"form": form, "platform": platform, "urls": tool_urls(request)},
    )
