"""Settings of `bench_city.py`'s server: the production settings (elearning.settings, from the
environment), plus a bench-only URLconf (a bare view and an admin site over review cases) and a
middleware that reports the SQL queries of each request in a response header.

Never used outside the bench: the header and the bare view exist only under this module.
"""

import os

from elearning.settings import *  # noqa: F403
from elearning.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
