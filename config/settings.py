"""Settings for ACCMSME Governance.

Everything that differs between a laptop and production comes from the environment (django-environ).
With nothing set, the app runs on embedded defaults: SQLite in ``var/`` and a Celery broker on the local
filesystem, so ``make run`` needs no server. ``DATABASE_URL`` and ``REDIS_URL`` switch to real servers.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env(
    DEBUG=(bool, False),
    PRODUCTION=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "testserver"]),
)

PRODUCTION = env("PRODUCTION")
DEBUG = env("DEBUG") and not PRODUCTION
# The fallback key is only for the embedded default; production refuses to start without a real one.
SECRET_KEY = env("SECRET_KEY") if PRODUCTION else env("SECRET_KEY", default="dev-insecure-accmsme-key")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Links in e-mails, feeds and .ics files: SITE_URL when set, else the port `make run` serves on (the
# Makefile exports PORT), so `make run PORT=8101` mails links that work.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "simple_history",
    "django_celery_beat",
    "outbox",
    "governance",
    "chairmanship",
    "meetings",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "governance.middleware.DatabaseUnavailableMiddleware",
    # Axes must be last: it turns a lockout into a response after authentication ran.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "governance.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- Database -------------------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'accmsme.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write at once under `make run`: WAL lets readers go on while one writes, and
    # IMMEDIATE transactions take the write lock up front instead of failing half-way with "locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test_accmsme.sqlite3")
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

# --- Auth -----------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "governance.backends.UserBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "meetings:dashboard"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: anonymous visitors get no object rights at all
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_RESET_ON_SUCCESS = True  # a successful login clears the failures counted against it
AXES_LOCKOUT_CALLABLE = "governance.account_views.lockout_response"  # a page that says why, not a bare string
ACCOUNT_INVITATION_DAYS = 14  # how long an emailed invitation (set-password) link works

# --- I18N / time ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Asia/Jakarta"  # the ASEAN Secretariat's zone; every stored time is UTC regardless
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"  # documents are only ever served through the permission-checked view
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Email ----------------------------------------------------------------------------------------------
EMAIL_OUTBOX_DIR = VAR_DIR / "outbox"
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    # The embedded default writes every message to var/outbox; the Secretariat's outbox page lists them.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(EMAIL_OUTBOX_DIR)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ACCMSME Secretariat <accmsme@asean.org>")
SECRETARIAT_MAILBOX = env("SECRETARIAT_MAILBOX", default="accmsme@asean.org")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_FS_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # kombu's filesystem transport: a broker with no server, good for one machine.
    for sub in ("in", "processed", "control"):
        (CELERY_FS_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FS_DIR / "in"),
        "data_folder_out": str(CELERY_FS_DIR / "in"),
        "processed_folder": str(CELERY_FS_DIR / "processed"),
        # Broadcast (pidbox) files, kept with the rest rather than in a "control" folder of the cwd.
        "control_folder": str(CELERY_FS_DIR / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# When the broker drops, a send batch in progress finishes (its rows are claimed in the database) rather
# than being cut off mid-send and sent again after the stuck-row reclaim; Celery 6 will default to True.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Each app declares its periodic jobs in ``<app>/schedule.py`` (plain data, no Django imports); beat copies
# them into django-celery-beat's tables, where the Secretariat can pause or retime them in the admin.
from chairmanship.schedule import BEAT as _CHAIR_BEAT  # noqa: E402
from governance.schedule import BEAT as _GOVERNANCE_BEAT  # noqa: E402
from outbox.schedule import BEAT as _OUTBOX_BEAT  # noqa: E402

CELERY_BEAT_SCHEDULE = {**_CHAIR_BEAT, **_OUTBOX_BEAT, **_GOVERNANCE_BEAT}
# Meeting packs prepared in the background (meetings/schedule.py, meetings/pack_tasks.py).
from meetings.schedule import BEAT as _MEETINGS_BEAT  # noqa: E402

CELERY_BEAT_SCHEDULE = {**CELERY_BEAT_SCHEDULE, **_MEETINGS_BEAT}
NOTIFY_SWEEP_SECONDS = env.int("NOTIFY_SWEEP_SECONDS", default=120)


# --- Cache and feeds ------------------------------------------------------------------------------------
# Rendered calendar feeds are cached under their ETag: shared by the web workers on Redis, per process on
# the embedded defaults.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "governance.redis_cache.ReusedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "accmsme",
        }
    }
    # Sessions are read on every request: from Redis, with the database behind it. Not on the per-process
    # cache, where a session ended in one process would live on in another's memory.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A personal feed lists what is ahead and the last year: twenty years of meetings in every calendar
# poll would cost seconds and megabytes for entries nobody looks at (the site keeps the full record).
FEED_PAST_DAYS = 365
FEED_CACHE_SECONDS = 900

# --- API ------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ACCMSME Governance API",
    "DESCRIPTION": "Bodies, member states, chairmanship, meetings and their record.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security -------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        # Scripts only from our own static files: no inline <script>, no on*= handlers (tests/project/test_security_headers.py).
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Trusted because only the TLS proxy reaches gunicorn (compose binds it to 127.0.0.1), and that proxy
    # sets the header itself on every request, overwriting any the client sent (README, compose).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Signed RSVP links and feed tokens.
RSVP_LINK_MAX_AGE_DAYS = env.int("RSVP_LINK_MAX_AGE_DAYS", default=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# --- Outbox (every message: outbox/; the meeting kinds: meetings/calendar/) -----------------------------
# What happens to a notice whose moment had already passed when it was planned (a meeting moved closer,
# someone invited late): "skip" (recorded as skipped, with why), "send" (the latest missed one goes now)
# or, for reminders, "coming_up" (one "coming up" notice instead of the missed reminders).
NOTIFICATION_LATE_POLICY = {
    "reminder": "coming_up",
    "chaser": "skip",
    "agenda": "send",
    "action_due": "send",
    "handover": "send",
    "account": "send",
}
ACTION_DUE_REMINDER_DAYS = [7, 1]
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=5)
# Delivery (issue 20, README "Delivery guarantee"): a live send holds its row locked, so the claim timeout
# only covers a dead worker; leases, hand-out and breaker pauses are seconds, so recovery is too.
NOTIFY_CLAIM_TIMEOUT_SECONDS = env.int("NOTIFY_CLAIM_TIMEOUT_SECONDS", default=60)
NOTIFY_DISPATCH_LEASE_SECONDS = env.int("NOTIFY_DISPATCH_LEASE_SECONDS", default=30)
NOTIFY_LEASE_PER_BATCH_SECONDS = env.float("NOTIFY_LEASE_PER_BATCH_SECONDS", default=1.0)
NOTIFY_HANDOUT_SECONDS = env.int("NOTIFY_HANDOUT_SECONDS", default=10)
NOTIFY_DEFER_SECONDS = env.int("NOTIFY_DEFER_SECONDS", default=30)
NOTIFY_BREAKER_BASE_SECONDS = env.int("NOTIFY_BREAKER_BASE_SECONDS", default=5)
NOTIFY_BREAKER_MAX_SECONDS = env.int("NOTIFY_BREAKER_MAX_SECONDS", default=60)
# Sends recorded per chunk (docs/decisions/0057): at most this many in one transaction, sized by time.
NOTIFY_SEND_CHUNK = env.int("NOTIFY_SEND_CHUNK", default=100)
# Rows per send task, at most: an eighth of a hand-out, between 50 and this (outbox.tasks.batch_size).
NOTIFY_BATCH_SIZE = env.int("NOTIFY_BATCH_SIZE", default=500)
NOTIFY_SEND_CHUNK_SECONDS = env.float("NOTIFY_SEND_CHUNK_SECONDS", default=0.5)
# SMTP: the connection and greeting within EMAIL_CONNECT_TIMEOUT, every answer after within EMAIL_TIMEOUT.
EMAIL_CONNECT_TIMEOUT = env.float("EMAIL_CONNECT_TIMEOUT", default=10.0)
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=30.0)
if EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_BACKEND = "outbox.smtp.EmailBackend"
if EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
    # The outbox writes one .eml per Message-ID, so a message resent after a crash replaces its own file.
    EMAIL_BACKEND = "outbox.backends.OutboxBackend"

# --- Hostile input: API errors, paging, throttles (governance/api_support.py, docs/decisions/0042) -----
INSTALLED_APPS += ["django_filters"]
REST_FRAMEWORK.update(
    {
        "EXCEPTION_HANDLER": "governance.api_support.exception_handler",
        "DEFAULT_PAGINATION_CLASS": "governance.api_support.BoundedLimitOffsetPagination",
        "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    }
)
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "governance.api_support.postprocess_error_responses",
]

# --- Everyday use: a refused request is one line in the log ---------------------------------------------
# Django logs a PermissionDenied on "django.request" with its traceback; a 403 is an answer, not a fault.
LOGGING.setdefault("filters", {})["forbidden_one_line"] = {"()": "config.log_filters.ForbiddenOneLine"}
LOGGING.setdefault("loggers", {})["django.request"] = {"filters": ["forbidden_one_line"]}
# Bodies read with a cap before parsing (governance/uploads.py): an announced oversize body is a 413 from
# its headers, a multipart upload is cut off as it streams past the cap.
MIDDLEWARE.insert(1, "governance.uploads.RequestSizeLimitMiddleware")
FILE_UPLOAD_HANDLERS = [
    "governance.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Inbound iTIP replies (meetings/calendar/inbound.py) --------------------------------------------------
# The organizer mailbox that Outlook, Gmail and Apple Mail send Accept/Decline to, as an IMAP URL
# (imaps://user:password@host:993, or imap:// on a trusted network). Empty: reading it is off, and the
# Outbox page says so.
ITIP_IMAP_URL = env("ITIP_IMAP_URL", default="")
ITIP_IMAP_FOLDERS = {"processed": "processed", "refused": "refused", "unmatched": "unmatched"}
ITIP_MAX_MESSAGE_BYTES = env.int("ITIP_MAX_MESSAGE_BYTES", default=20 * 1024 * 1024)
ITIP_IMAP_BATCH = env.int("ITIP_IMAP_BATCH", default=50)
# The same replies posted by a mail provider (Mailgun's inbound route, django-anymail; meetings/calendar/
# webhook.py): off unless both the basic-auth secret ("user:password") and the signing key are set. The
# limit stays under DATA_UPLOAD_MAX_MEMORY_SIZE: Mailgun posts the raw message as one form field.
ITIP_WEBHOOK_SECRET = env("ITIP_WEBHOOK_SECRET", default="")
ITIP_WEBHOOK_SIGNING_KEY = env("ITIP_WEBHOOK_SIGNING_KEY", default="")
ITIP_WEBHOOK_MAX_BYTES = env.int("ITIP_WEBHOOK_MAX_BYTES", default=2 * 1024 * 1024)
ITIP_WEBHOOK_MAX_AGE_SECONDS = env.int("ITIP_WEBHOOK_MAX_AGE_SECONDS", default=15 * 60)
from meetings.calendar.schedule import BEAT as _ITIP_BEAT  # noqa: E402

CELERY_BEAT_SCHEDULE.update(_ITIP_BEAT)

# --- Login defence and sessions (governance/middleware.py, governance/auth_audit.py; decision 0042) ------
# The client address comes from X-Forwarded-For only when the app runs behind TRUSTED_PROXY_COUNT proxies
# that each append to it (the compose file's TLS proxy: 1); with 0, REMOTE_ADDR is the client. One rule
# for lockouts, throttles and the audit trail: governance.audit.client_address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "governance.audit.client_address"
# Locked per address *and* user: a stranger elsewhere cannot lock someone out; the cool-off runs from
# the last failure of that pair, so only that address keeps its own pair locked.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=30)  # per 15 minutes
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "governance.middleware.SessionTimeoutMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("governance.middleware.SessionTimeoutMiddleware") + 1,
    "governance.middleware.AccountThrottleMiddleware",
)
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=8 * 3600)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=24 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="1200/minute")  # per user; "" turns it off
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["governance.api_throttle.ApiUserThrottle"]

# --- Production behind the compose TLS proxy (docker-compose.yml, README "Production with compose") -----
if PRODUCTION:
    if len(SECRET_KEY) < 50:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters in production.")
    # The health check asks over plain http from inside the container: no redirect for it alone.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
