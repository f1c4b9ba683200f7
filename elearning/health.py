"""The state of the services the app depends on, as /healthz reports it. Each check gives up
within about a second: a load balancer's probe must never hang on a dead dependency."""

from __future__ import annotations

import logging

from django.core.cache import caches
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 1


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.error("healthz: database unreachable: %r", exc)
        return "error"
    return "ok"


def cache_status() -> str:
    """The default cache, which holds the sessions when REDIS_URL is set (its socket timeouts are
    in settings.CACHES)."""
    try:
        cache = caches["default"]
        cache.set("healthz", 1, timeout=10)
        cache.get("healthz")
    except Exception as exc:  # noqa: BLE001 - any cache back end, any failure: not usable
        logger.error("healthz: cache unreachable: %r", exc)
        return "error"
    return "ok"


def broker_status() -> str:
    """ "eager" when tasks run in-process (no REDIS_URL); else one connection attempt, no retry."""
    from elearning.celery import app

    if app.conf.task_always_eager:
        return "eager"
    try:
        with app.connection_for_write(
            connect_timeout=TIMEOUT_SECONDS,
            transport_options={"socket_connect_timeout": TIMEOUT_SECONDS, "socket_timeout": TIMEOUT_SECONDS},
        ) as conn:
            conn.ensure_connection(max_retries=0)
    except Exception as exc:  # noqa: BLE001 - whatever the transport raises, tasks cannot be queued
        logger.error("healthz: broker unreachable: %r", exc)
        return "error"
    return "ok"


def dependency_report() -> dict[str, str]:
    return {"database": database_status(), "cache": cache_status(), "broker": broker_status()}
