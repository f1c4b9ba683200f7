import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
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


def chosen_language(request) -> str:
    """The interface language: the signed-in person's saved choice, else the language cookie,
    else LANGUAGE_CODE (Vietnamese). The browser's Accept-Language never counts (DESIGN.md §11):
    most school PCs run an English Windows whose teachers expect the Vietnamese interface."""
    supported = {code for code, _name in settings.LANGUAGES}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in supported:
        return user.language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in supported:
        return cookie
    return settings.LANGUAGE_CODE


class LocaleMiddleware:
    """Django's LocaleMiddleware without Accept-Language: see `chosen_language`.

    Placed after AuthenticationMiddleware so that the saved choice is known. A signed-in person's
    choice is written back into the cookie, so that the device remembers it after sign-out too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.language
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != user.language
        ):
            set_language_cookie(response, user.language)
        return response


def set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
