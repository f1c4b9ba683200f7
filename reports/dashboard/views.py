"""The dashboard pages. A unit the user may not inspect is 404 (reports.dashboard.scope); the
figures come from the cache kept per unit (reports.dashboard.figures_of)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Subject, Unit
from elearning.http import attachment_response

from .. import selectors, services
from ..models import ScopeTarget
from . import TIMEOUT, cache_key, charts, dashboard_scope, excel, figures_of, may_set_target, with_target

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(request, unit_id):
    unit_id = unit_id or request.GET.get("unit")
    # SECURITY: only a unit of inspectable_units_q is ever looked at; any other id is 404.
    unit = (
        selectors.inspectable_unit(request.user, unit_id) if unit_id else selectors.default_unit(request.user)
    )
    dscope = dashboard_scope(request.user, unit)
    if dscope is None:
        raise Http404
    return dscope


def _target(unit: Unit) -> int:
    target = ScopeTarget.objects.filter(unit=unit).values_list("online_share", flat=True).first()
    return target if target is not None else ScopeTarget.DEFAULT_ONLINE_SHARE


def _children(request, unit: Unit):
    """The units one level down whose dashboards the user may open (districts of the city,
    schools of a district or cluster)."""
    return (
        selectors.inspectable_units(request.user)
        .filter(parent=unit)
        .exclude(kind=Unit.Kind.DEPARTMENT)
        .order_by("kind", "name")
    )


@login_required
def dashboard(request, unit_id=None):
    dscope = _scope(request, unit_id)
    key = cache_key(dscope)
    figures = figures_of(dscope, key)
    target = _target(dscope.unit)
    context = {
        # The tables' HTML is kept under the figures' own key (a city's is ~6,000 cells: 0.6 s
        # to render); the target, which one of them shows, is read per view and part of its key.
        "figures_key": key,
        "fragment_timeout": TIMEOUT,
        "unit": dscope.unit,
        "restricted_subjects": dscope.subject_ids,
        "subject_names": ", ".join(
            Subject.objects.filter(pk__in=dscope.subject_ids).values_list("name", flat=True)
        ),
        "tables": with_target(figures, target),
        "charts": charts(figures.tables),
        "computed_at": figures.computed_at,
        "with_catalogue": figures.coverage_raw["with_catalogue"],
        "target": target,
        "may_set_target": may_set_target(request.user, dscope.unit),
        "children": _children(request, dscope.unit),
        "parents": selectors.inspectable_units(request.user).filter(pk__in=dscope.unit.ancestor_ids[:-1]),
    }
    return render(request, "reports/dashboard.html", context)


@login_required
def dashboard_export(request, unit_id):
    dscope = _scope(request, unit_id)
    tables = with_target(figures_of(dscope), _target(dscope.unit))
    title = _("Số liệu học liệu số – %(unit)s") % {"unit": dscope.unit.name}
    return attachment_response(
        content=excel.build(title, tables),
        filename=f"so-lieu-{dscope.unit.code}.xlsx",
        content_type=XLSX,
    )


@login_required
@require_POST
def target_set(request, unit_id):
    dscope = _scope(request, unit_id)
    if not may_set_target(request.user, dscope.unit):
        raise Http404
    try:
        services.scope_target_set(
            unit=dscope.unit, actor=request.user, online_share=request.POST.get("online_share")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã lưu mục tiêu tỉ lệ trực tuyến."))
    return redirect("reports:dashboard_unit", unit_id=dscope.unit.pk)
