"""What users see while Redis (sessions, cache, broker) is unreachable: a 503 page, never a
silent sign-out or a 500."""

from __future__ import annotations

import logging

import kombu.exceptions
import redis.exceptions
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

# An unreachable or timed-out Redis, and a broker that cannot take a task.
OUTAGE_ERRORS = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)
RETRY_AFTER_SECONDS = 120


def service_unavailable(request) -> HttpResponse:
    """The 503 page, rendered without the database, the session or the context processors
    (templates/503.html stands alone), in the language of the request's cookie or browser."""
    with translation.override(translation.get_language_from_request(request)):
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response.service_outage = True
    return response


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, answering the 503 page while Redis is unreachable.

    The session is loaded here, before any later middleware reads it: Django turns an exception
    raised inside a middleware into a 500 before an outer one could see it. With the session
    store of `elearning.sessions` an outage raises instead of reading as an empty session, so a
    signed-in user is not sent to the login page. The same errors raised by a view (signing in
    writes a session; a view queues a task) and by saving the session also answer 503.
    """

    def process_request(self, request):
        super().process_request(request)
        if request.session.session_key is None:
            return None  # no cookie: nothing to read from the store
        try:
            request.session.get(SESSION_KEY)
        except OUTAGE_ERRORS as exc:
            return self._outage(request, exc)
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, OUTAGE_ERRORS):
            return self._outage(request, exception)
        return None

    def process_response(self, request, response):
        if getattr(response, "service_outage", False):
            return response  # the store is down: nothing to save
        try:
            return super().process_response(request, response)
        except OUTAGE_ERRORS as exc:
            return self._outage(request, exc)

    def _outage(self, request, exc) -> HttpResponse:
        logger.error("Service unavailable on %s: %r", request.path, exc)
        return service_unavailable(request)
