"""Fixed-window request counting in the default cache (Redis in production, shared by every
web process)."""

from django.core.cache import cache


def rate_limit_hit(*, key: str, limit: int, window_seconds: int) -> bool:
    """Counts one request on `key`; False when it is beyond `limit` in the window, which starts at
    the key's first request. A cache outage raises (the middleware answers 503): a limit that
    fails open would be no limit at all."""
    cache_key = f"ratelimit:{key}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
