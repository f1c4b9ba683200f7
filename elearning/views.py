from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.rules import scope_for

from . import navigation


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


def healthz(request):
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
