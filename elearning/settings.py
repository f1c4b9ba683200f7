"""One settings module for every run mode, driven by the environment (DESIGN.md section 10).

With no environment at all the app runs on the embedded default: SQLite, files on local
disk, local-memory cache, database sessions, Celery tasks run eagerly in-process and
e-mail printed to the console. Production sets DATABASE_URL, REDIS_URL, AWS_* and HTTPS=1.
The README lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured

from elearning.checks import DEVELOPMENT_SECRET_KEY, HOW_TO_MAKE_A_KEY

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# SECURITY: only DEBUG=1 (`make run`) may run on the development key, which is public. Without
# SECRET_KEY and DEBUG the app refuses to start; `check --deploy` refuses the development key.
SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: set the SECRET_KEY environment variable to a long random value, "
        f"made e.g. with {HOW_TO_MAKE_A_KEY} (only DEBUG=1 runs on the development key)."
    )
# Old keys still accepted while a key is rotated (comma separated): signed values made under them
# (sessions, password reset links, preview tokens) stay valid until they expire.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The login page lists the demo accounts (never with DEBUG off unless asked for).
SHOW_DEMO_LOGINS = env.bool("SHOW_DEMO_LOGINS", default=DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "elearning",
    "accounts",
    "submissions",
    "reviews",
    "repository",
    "reports",
    "interop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # HTML and other text compressed (elearning/compression.py); static files too in `make run`,
    # where WhiteNoise has no pre-compressed copies. Above WhiteNoise so that it sees its answers.
    "elearning.compression.TextGZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, answering a 503 page while Redis is unreachable (elearning/middleware.py).
    "elearning.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cookie or saved choice, never the browser's Accept-Language (DESIGN.md section 11).
    "accounts.middleware.LocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "elearning.urls"
WSGI_APPLICATION = "elearning.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "accounts.context_processors.navigation",
                "reviews.context_processors.notifications",
                "elearning.context_processors.support",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Connection reuse (issue 13 item 6): on PostgreSQL each process keeps its connection for
# CONN_MAX_AGE seconds, checked before reuse (CONN_HEALTH_CHECKS), instead of connecting for every
# request. A gunicorn sync worker serves one request at a time, so psycopg's pool would hold one
# connection per process too; bench/bench_db_conn.py measures the difference (bench/README.md).
_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if _POSTGRES else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must hold a school's rush of uploads: WAL lets readers go on while
    # one request writes; IMMEDIATE takes the write lock when a transaction begins, so two
    # transactions never deadlock upgrading a read lock ("database is locked" at once); and a
    # writer waits up to 20 s (busy timeout) for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests run on a file too: an in-memory database shared between threads locks whole tables
    # and ignores the busy timeout, so it could not show how the embedded default holds a rush.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, Celery ------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # An unreachable Redis fails a request within seconds instead of hanging it.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    # Cache sessions that raise on an outage instead of signing everyone out (elearning/sessions.py).
    SESSION_ENGINE = "elearning.sessions"
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_TASK_ACKS_LATE = True
# A worker killed midway (OOM, kill -9) hands its task back to the queue instead of losing it.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The longest file check (a 2 GiB package, scanned and extracted); the broker gives an
# unacknowledged task to another worker after this plus a margin, instead of Redis's one hour.
CHECK_TIME_LIMIT_SECONDS = env.int("CHECK_TIME_LIMIT_SECONDS", default=30 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CHECK_TIME_LIMIT_SECONDS + 10 * 60,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
# A broker that is down must not hold a request: try briefly, then let the sweeper re-queue.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A check asked for this long ago and not begun, or begun longer ago than its time limit, is
# queued again by the sweeper; after CHECK_MAX_ATTEMPTS runs it is marked failed.
CHECK_REQUEUE_MINUTES = env.int("CHECK_REQUEUE_MINUTES", default=5)
CHECK_MAX_ATTEMPTS = env.int("CHECK_MAX_ATTEMPTS", default=3)
# PPTX/DOCX are converted to PDF for the preview by LibreOffice headless (submissions/conversion.py):
# the launcher (a name looked up on PATH, or a path), how long one conversion may run before its
# processes are killed, and how many runs a conversion gets (the sweeper queues lost ones again
# after CHECK_REQUEUE_MINUTES, or once a run is older than its task's time limit).
LIBREOFFICE_BINARY = env("LIBREOFFICE_BINARY", default="soffice")
PREVIEW_CONVERT_TIMEOUT_SECONDS = env.int("PREVIEW_CONVERT_TIMEOUT_SECONDS", default=120)
PREVIEW_TIME_LIMIT_SECONDS = PREVIEW_CONVERT_TIMEOUT_SECONDS + 60
PREVIEW_MAX_ATTEMPTS = env.int("PREVIEW_MAX_ATTEMPTS", default=3)
# The periodic tasks (sweeper, upload cleanup, reminders) run in a thread of the web process
# when there is no Celery beat (the embedded default); see elearning/scheduler.py.
EMBEDDED_SCHEDULER = env.bool("EMBEDDED_SCHEDULER", default=not REDIS_URL)

# --- Authentication and sessions ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the cookie lives 30 minutes and is renewed on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
# Absolute lifetime, enforced by accounts.middleware.SessionLifetimeMiddleware.
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)

# django-axes: lock the (username, IP) pair, so one teacher mistyping does not lock out the
# whole school that shares one public IP address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# Password reset requests per hour: per address (more are answered the same neutral page but send
# nothing) and per client IP (more are told to wait, 429).
PASSWORD_RESET_MAX_PER_EMAIL = env.int("PASSWORD_RESET_MAX_PER_EMAIL", default=3)
PASSWORD_RESET_MAX_PER_IP = env.int("PASSWORD_RESET_MAX_PER_IP", default=10)

# --- HTTPS and security headers -------------------------------------------------------------
# HTTPS=1 in production turns on everything that only makes sense behind TLS.
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Pages that may be framed by the app itself (the preview content) say so with @xframe_options_sameorigin.
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # Uppy and Bootstrap set style attributes from script.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'", *env.list("CSP_CONNECT_EXTRA", default=[])],
        "frame-src": ["'self'", *env.list("CSP_FRAME_EXTRA", default=[])],
        "media-src": ["'self'", "blob:"],
        # pdf.js parses PDFs in a module worker loaded from our static files.
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["elearning.formats"]

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="us-east-1")
AWS_S3_SIGNATURE_VERSION = "s3v4"
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = True
AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=300)
AWS_S3_FILE_OVERWRITE = False
if AWS_STORAGE_BUCKET_NAME:
    DEFAULT_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "elearning.compression.HashedStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploads: the largest lecture file, enforced on the server (DESIGN.md section 9).
LECTURE_MAX_FILE_BYTES = env.int("LECTURE_MAX_FILE_BYTES", default=2 * 1024**3)
# Professional records (plans, lesson plans: PDF/DOCX) go through a plain form upload.
RECORD_MAX_FILE_BYTES = env.int("RECORD_MAX_FILE_BYTES", default=50 * 1024**2)
# Where the embedded upload back end keeps parts while a multipart upload is in progress.
UPLOAD_TMP_ROOT = Path(env("UPLOAD_TMP_ROOT", default=str(MEDIA_ROOT / "_uploads")))
# A separate origin for previewed package content (repository app); empty = sandboxed frame.
CONTENT_ORIGIN = env("CONTENT_ORIGIN", default="")
CLAMD_URL = env("CLAMD_URL", default="")
# Caps while extracting packages, counted on the bytes actually written.
PACKAGE_MAX_ENTRIES = env.int("PACKAGE_MAX_ENTRIES", default=10_000)
PACKAGE_MAX_TOTAL_BYTES = env.int("PACKAGE_MAX_TOTAL_BYTES", default=4 * 1024**3)
PACKAGE_MAX_RATIO = env.int("PACKAGE_MAX_RATIO", default=200)
PACKAGE_MAX_ENTRY_BYTES = env.int("PACKAGE_MAX_ENTRY_BYTES", default=2 * 1024**3)
# Per person: open uploads at once, and the bytes they may reserve together.
UPLOAD_MAX_ACTIVE_SESSIONS = env.int("UPLOAD_MAX_ACTIVE_SESSIONS", default=3)
UPLOAD_MAX_USER_BYTES = env.int("UPLOAD_MAX_USER_BYTES", default=2 * LECTURE_MAX_FILE_BYTES)
# Parts of one upload the browser sends at the same time (static/js/upload.js).
UPLOAD_PARALLEL_PARTS = env.int("UPLOAD_PARALLEL_PARTS", default=4)
# A complete claimed longer ago than this died with its process (a worker killed, a node down):
# the next complete of the upload claims it again (gunicorn's --timeout is 120 s).
UPLOAD_COMPLETING_STALE_SECONDS = env.int("UPLOAD_COMPLETING_STALE_SECONDS", default=150)
# Upload sessions untouched for this long are aborted and their parts deleted.
UPLOAD_SESSION_MAX_AGE_HOURS = env.int("UPLOAD_SESSION_MAX_AGE_HOURS", default=48)
# Lifetime of the token in a preview URL of package content.
PREVIEW_TOKEN_SECONDS = env.int("PREVIEW_TOKEN_SECONDS", default=15 * 60)
# Administrative documents (accounts/documents.py): the place in "Hải Phòng, ngày …" of the city's
# documents (default: read from the city's unit name) and the body above the Sở in their header
# (default "UBND THÀNH PHỐ <place>"; a province sets "UBND TỈNH …").
DOCUMENT_PLACE = env("DOCUMENT_PLACE", default="")
DOCUMENT_CITY_AUTHORITY = env("DOCUMENT_CITY_AUTHORITY", default="")
# Signed approvals (elearning/signing.py): issuing unit code → PKCS#12 file, as JSON, either a path
# ({"THCS-LQD": "/etc/hoclieu/lqd.p12"}) or {"p12": path, "password_env": "NAME"} with the password
# in the environment variable NAME. A unit without one gets the approval stamp only.
SIGNING_CERTIFICATES = env.json("SIGNING_CERTIFICATES", default={})
# Largest PDF the "Kiểm tra văn bản" page accepts, and checks one person may run an hour.
VERIFY_MAX_BYTES = env.int("VERIFY_MAX_BYTES", default=20 * 1024 * 1024)
VERIFY_MAX_PER_HOUR = env.int("VERIFY_MAX_PER_HOUR", default=60)
# An approved-lecture list longer than this is built by a Celery task and kept for re-download.
REPORT_BACKGROUND_ROWS = env.int("REPORT_BACKGROUND_ROWS", default=2000)
# OAI-PMH (interop.oai): the repository's name and identifier (a domain name: item identifiers are
# oai:<identifier>:lecture/<id>), its contact, records a page, how long a resumption token lasts,
# and the codes of the districts whose library is harvested besides the city's (opt-in).
OAI_REPOSITORY_NAME = env("OAI_REPOSITORY_NAME", default="Học liệu số – Bài giảng điện tử")
OAI_REPOSITORY_IDENTIFIER = env("OAI_REPOSITORY_IDENTIFIER", default="hoclieu.example.edu.vn")
OAI_ADMIN_EMAIL = env("OAI_ADMIN_EMAIL", default=env("SUPPORT_EMAIL", default="hotro@hoclieu.example.edu.vn"))
OAI_PAGE_SIZE = env.int("OAI_PAGE_SIZE", default=100)
OAI_TOKEN_SECONDS = env.int("OAI_TOKEN_SECONDS", default=24 * 60 * 60)
OAI_DISTRICTS = env.list("OAI_DISTRICTS", default=[])
# The public catalogue of city-library lectures (interop.catalogue): off unless turned on, and the
# origins that may frame it (the department's portal; "*" = any).
PUBLIC_CATALOGUE = env.bool("PUBLIC_CATALOGUE", default=False)
PUBLIC_CATALOGUE_FRAME_ANCESTORS = env.list("PUBLIC_CATALOGUE_FRAME_ANCESTORS", default=["*"])
# Reviewers are reminded this many days before a review is due.
REVIEW_REMINDER_DAYS = env.int("REVIEW_REMINDER_DAYS", default=2)

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Học liệu số <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The help desk shown in the footer and on /support/ (elearning/support.py).
SUPPORT_HOTLINE = env("SUPPORT_HOTLINE", default="1800 0000")
SUPPORT_EMAIL = env("SUPPORT_EMAIL", default="hotro@hoclieu.example.edu.vn")
SUPPORT_HOURS = env("SUPPORT_HOURS", default="Thứ Hai – Thứ Sáu, 7:30 – 11:30 và 13:30 – 17:00")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
