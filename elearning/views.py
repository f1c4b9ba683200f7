from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.rules import scope_for

from . import health, navigation


@login_required
def home(request):
    """Each role's home page: what is waiting for this user, gathered from every app."""
    scope = scope_for(request.user)
    roles = request.user.roles.select_related("unit__parent", "subject").order_by("unit__path")
    return render(
        request,
        "home.html",
        {"cards": navigation.home_cards(request.user, scope), "role_assignments": roles},
    )


@never_cache
def healthz(request):
    """For the load balancer: the database, the cache (the session store in production) and the
    broker, each "ok" or "error" ("eager" for in-process tasks). 503 when the database or the
    cache is unreachable: no page works without them. A broker outage is reported but keeps 200:
    pages still work and only queued work waits."""
    report = health.dependency_report()
    healthy = report["database"] == "ok" and report["cache"] == "ok"
    return JsonResponse(report, status=200 if healthy else 503)
