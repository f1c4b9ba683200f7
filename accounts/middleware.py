import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

LOGIN_AT_KEY = "login_at"


class SessionLifetimeMiddleware:
    """Ends a session 12 hours (SESSION_ABSOLUTE_SECONDS) after sign-in, whatever the activity,
    and sends a user with a one-time initial password to the password change page first.

    The idle timeout needs no code: the session cookie lives SESSION_COOKIE_AGE seconds and is
    renewed on every request (SESSION_SAVE_EVERY_REQUEST).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            login_at = request.session.get(LOGIN_AT_KEY)
            if login_at is None:
                request.session[LOGIN_AT_KEY] = int(time.time())
            elif time.time() - login_at > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, _("Phiên làm việc đã quá 12 giờ. Vui lòng đăng nhập lại."))
                return redirect(settings.LOGIN_URL)
            if user.must_change_password and request.path not in _password_exempt_paths():
                return redirect("password_change")
        return self.get_response(request)


def _password_exempt_paths() -> set[str]:
    return {reverse("password_change"), reverse("password_change_done"), reverse("logout")}
