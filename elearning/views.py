from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache

from accounts.rules import scope_for

from . import health, navigation
from . import support as help_centre


@login_required
def home(request):
    """Each role's home page: what is waiting for this user, gathered from every app."""
    # The roles and panels listed at the top were read with the scope (one query for both).
    scope = scope_for(request.user)
    return render(
        request,
        "home.html",
        {
            "cards": navigation.home_cards(request.user, scope),
            "summaries": navigation.home_summaries(request.user, scope),
            "role_assignments": scope.assignments,
            "panel_memberships": scope.memberships,
        },
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


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the static file (its
    hashed name in production, hence a temporary redirect)."""
    return redirect(static("favicon.ico"))


def support(request):
    """The help centre: a guide per role, the FAQ and the help desk; open to everyone, signed in
    or not (a teacher who cannot sign in needs it most)."""
    return render(
        request,
        "support.html",
        {
            "guides": help_centre.guides(),
            "questions": help_centre.questions(),
            "contact": help_centre.support_contact(),
        },
    )
