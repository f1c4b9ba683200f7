"""Session engine for production (REDIS_URL): sessions in the cache, failing loudly.

Django's cache session store reads an unreachable cache as "no session", which would sign every
user out silently while Redis is down. This one lets the outage through, and
`elearning.middleware.SessionMiddleware` answers the 503 page.
"""

from django.contrib.sessions.backends import cache

from .middleware import OUTAGE_ERRORS


class SessionStore(cache.SessionStore):
    def load(self):
        try:
            session_data = self._cache.get(self.cache_key)
        except OUTAGE_ERRORS:
            raise
        except Exception:  # noqa: BLE001 - as Django: a key the cache refuses is no session
            session_data = None
        if session_data is not None:
            return session_data
        self._session_key = None
        return {}

    async def aload(self):
        try:
            session_data = await self._cache.aget(await self.acache_key())
        except OUTAGE_ERRORS:
            raise
        except Exception:  # noqa: BLE001
            session_data = None
        if session_data is not None:
            return session_data
        self._session_key = None
        return {}
