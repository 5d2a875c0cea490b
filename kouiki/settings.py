"""Kouiki settings: every value comes from the environment, with safe defaults for a local run.

See README.md, "Configuration", for the variables.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KOUIKI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("KOUIKI_DEBUG")
# Production is what runs behind TLS with real secrets; a local run (make run, tests) is not.
PRODUCTION = env_bool("KOUIKI_PRODUCTION")

SECRET_KEY = os.environ.get("KOUIKI_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("KOUIKI_SECRET_KEY must be set in production.")
    SECRET_KEY = "kouiki-local-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("KOUIKI_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("KOUIKI_CSRF_TRUSTED_ORIGINS")
# Absolute base URL used in mails (password reset, application links).
SITE_URL = os.environ.get("KOUIKI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "kouiki.identity.apps.StaffAdminConfig",  # django.contrib.admin behind the back-office login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks_db",
    "simple_history",
    "kouiki.core",
    "kouiki.audit",
    "kouiki.identity",
    "kouiki.reviews",
    "kouiki.terms",
    "kouiki.membership",
    "kouiki.assembly",
    "kouiki.fees",
    "kouiki.switching",
    "kouiki.tso",
    "kouiki.capacity",
    "kouiki.notices",
    "kouiki.bulk",
    "kouiki.government",
    "kouiki.backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kouiki.core.views.NoStoreMiddleware",
    "kouiki.core.request_context.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "kouiki.core.views.RejectNulMiddleware",
    "kouiki.identity.middleware.ClientCertificateMiddleware",
    "kouiki.identity.middleware.PasswordExpiryMiddleware",
    "axes.middleware.AxesMiddleware",
    "kouiki.core.availability.AvailabilityMiddleware",
    "kouiki.core.views.DomainErrorMiddleware",
]
# Besides every answer to a signed-in user, these paths are never cached (Cache-Control: no-store,
# private), their login pages included.
KOUIKI_NO_STORE_PATHS = ["/backoffice/"]

ROOT_URLCONF = "kouiki.urls"
WSGI_APPLICATION = "kouiki.wsgi.application"
ASGI_APPLICATION = "kouiki.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kouiki" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "kouiki.core.context_processors.kouiki",
            ],
        },
    },
]

# Forms render without `maxlength`, which browsers use to cut pasted text silently: the server
# refuses a value too long with the limit and the length typed (kouiki.core.forms.FormRenderer).
FORM_RENDERER = "kouiki.core.forms.FormRenderer"

# `manage.py serve` (make run): gunicorn's web processes, one per core unless set (ADR 19).
KOUIKI_WEB_PROCESSES = env_int("KOUIKI_WEB_PROCESSES", os.process_cpu_count() or 1)

# Database: SQLite (WAL) under var/ by default; DATABASE_URL selects another (PostgreSQL).
# On SQLite every transaction takes the write lock at BEGIN (IMMEDIATE) and waits for it at most
# the busy timeout: then a request answers 503 and the worker tries again later (ADR 18).
KOUIKI_SQLITE_BUSY_TIMEOUT_SECONDS = float(os.environ.get("KOUIKI_SQLITE_BUSY_TIMEOUT_SECONDS") or 5)
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = env_bool("KOUIKI_DB_POOL", False)
        # Server-side binding and prepared statements (docs/performance.md): opt-in until the whole
        # suite has run with them; not behind a pooler in transaction mode.
        if env_bool("KOUIKI_DB_PREPARE", False):
            DATABASES["default"]["OPTIONS"] |= {"server_side_binding": True, "prepare_threshold": 2}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "kouiki.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": KOUIKI_SQLITE_BUSY_TIMEOUT_SECONDS,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache (rate limits, lockout bookkeeping): Redis when REDIS_URL is set, else the database.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kouiki_cache"}
    }
# django-ratelimit only knows memcached and django-redis by name; Django's own Redis cache is
# atomic, and the database cache is the single-machine default (docs/decisions/0004). Lockout is per
# user of one organization (axes.W006): per-address limits are django-ratelimit's job.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "django_ratelimit.E003", "axes.W006"]
RATELIMIT_VIEW = "kouiki.core.views.ratelimited"

# Identity
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kouiki.identity.backends.KouikiBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "kouiki.identity.validators.LengthValidator", "OPTIONS": {"min_length": 8, "max_length": 128}},
    {"NAME": "kouiki.identity.validators.AllowedCharactersValidator"},
    {"NAME": "kouiki.identity.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "kouiki.identity.validators.UserAttributeSimilarityValidator"},
    {"NAME": "kouiki.identity.validators.CommonPasswordValidator"},
    {"NAME": "kouiki.identity.validators.PasswordHistoryValidator", "OPTIONS": {"generations": 3}},
]
KOUIKI_PASSWORD_MAX_AGE_DAYS = env_int("KOUIKI_PASSWORD_MAX_AGE_DAYS", 90)
KOUIKI_SWITCHING_USER_IDLE_DAYS = env_int("KOUIKI_SWITCHING_USER_IDLE_DAYS", 90)
# X-I1: a user ID belongs to one natural person; a name holding one of these (case and width
# ignored) is a shared or role account and is refused (comma-separated).
KOUIKI_SHARED_ACCOUNT_NAME_PATTERNS = env_list(
    "KOUIKI_SHARED_ACCOUNT_NAME_PATTERNS",
    "共用,共有,部署,担当者,窓口,代表,事務局,admin,user,test,guest",
)
# A request body up to 8 MB: a usage-password application carries up to five 1 MB identity documents
# in base64 (Django's default, 2.5 MB, would refuse three). Rate limits bound the rest.
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
KOUIKI_PASSWORD_RESET_MINUTES = env_int("KOUIKI_PASSWORD_RESET_MINUTES", 30)
# Lifetime of the provisional-application link mailed by 加入申請リンク確認 (MEM-J1).
KOUIKI_JOIN_LINK_DAYS = env_int("KOUIKI_JOIN_LINK_DAYS", 7)
PASSWORD_RESET_TIMEOUT = KOUIKI_PASSWORD_RESET_MINUTES * 60
# 利用の中断・契約の終了 (X-S2, X-S3): whom a suspended or terminated participant is told to contact,
# and how long a terminated participant's data is kept after the end of its contract (X-L1, seed
# 001 2.7.4; the reasons of each default are ADR 34's; docs/operations.md lists them).
KOUIKI_USE_CONTACT = os.environ.get(
    "KOUIKI_USE_CONTACT", "電力広域的運営推進機関 システム利用窓口（本機関の営業日 9:00-18:00）"
)
KOUIKI_RETENTION_USER_DATA_YEARS = env_int("KOUIKI_RETENTION_USER_DATA_YEARS", 5)
KOUIKI_RETENTION_PERSONAL_DATA_YEARS = env_int("KOUIKI_RETENTION_PERSONAL_DATA_YEARS", 3)
KOUIKI_RETENTION_USAGE_LOG_YEARS = env_int("KOUIKI_RETENTION_USAGE_LOG_YEARS", 5)
# Back-office staff must use TOTP; the demo (make run) turns this off for convenience.
KOUIKI_STAFF_OTP_REQUIRED = env_bool("KOUIKI_STAFF_OTP_REQUIRED", True)
OTP_TOTP_ISSUER = "Kouiki"

# Capacity market service hours (CAP-H1): business days 9:00-18:00 JST. The demo opens them around
# the clock so that a newcomer can try the system at night; off everywhere else.
KOUIKI_CAPACITY_ALWAYS_OPEN = env_bool("KOUIKI_CAPACITY_ALWAYS_OPEN", False)
# X-S1: the Retry-After (seconds) of a system stopped without a planned end (kouiki.core.availability).
KOUIKI_MAINTENANCE_RETRY_AFTER_SECONDS = env_int("KOUIKI_MAINTENANCE_RETRY_AFTER_SECONDS", 600)

# Lockout (django-axes): 5 failures in a row for one user of one organization, no cool-off.
AXES_FAILURE_LIMIT = env_int("KOUIKI_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = None
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kouiki.identity.views.auth.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Rate limits per client address on login and reset forms.
KOUIKI_LOGIN_RATE = os.environ.get("KOUIKI_LOGIN_RATE", "30/m")
KOUIKI_RESET_RATE = os.environ.get("KOUIKI_RESET_RATE", "10/m")

# Sessions and cookies
SESSION_COOKIE_AGE = env_int("KOUIKI_SESSION_SECONDS", 60 * 60 * 8)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("KOUIKI_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("KOUIKI_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("KOUIKI_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("KOUIKI_BEHIND_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Mail: to files under var/mail/ unless an SMTP host is configured.
DEFAULT_FROM_EMAIL = os.environ.get("KOUIKI_MAIL_FROM", "no-reply@kouiki.example.jp")
SMTP_HOST = os.environ.get("KOUIKI_SMTP_HOST", "")
if SMTP_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": env_int("KOUIKI_SMTP_PORT", 587),
                "username": os.environ.get("KOUIKI_SMTP_USER", ""),
                "password": os.environ.get("KOUIKI_SMTP_PASSWORD", ""),
                "use_tls": env_bool("KOUIKI_SMTP_TLS", True),
                # Without a timeout a hung SMTP server would outlive the outbox lease (ADR 3).
                "timeout": env_int("KOUIKI_SMTP_TIMEOUT", 30),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }

# Background tasks: django.tasks on the database backend (jobs commit with the data).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("KOUIKI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
KOUIKI_OUTBOX_MAX_ATTEMPTS = env_int("KOUIKI_OUTBOX_MAX_ATTEMPTS", 8)
KOUIKI_OUTBOX_SWEEP_AFTER_SECONDS = env_int("KOUIKI_OUTBOX_SWEEP_AFTER_SECONDS", 120)
# How long a worker owns a message it is sending before the sweeper may hand it to another.
KOUIKI_OUTBOX_LEASE_SECONDS = env_int("KOUIKI_OUTBOX_LEASE_SECONDS", 300)
KOUIKI_OUTBOX_SWEEP_EVERY_SECONDS = env_int("KOUIKI_OUTBOX_SWEEP_EVERY_SECONDS", 60)

# Bulk CSV files (ADR 30): the largest upload, the rows validated in the request (more: a
# background job with a progress bar), a worker's lease on a file and the sweep's rhythm.
KOUIKI_BULK_MAX_BYTES = env_int("KOUIKI_BULK_MAX_BYTES", 30 * 1024 * 1024)
KOUIKI_BULK_SYNC_ROWS = env_int("KOUIKI_BULK_SYNC_ROWS", 1000)
KOUIKI_BULK_LEASE_SECONDS = env_int("KOUIKI_BULK_LEASE_SECONDS", 300)
KOUIKI_BULK_SWEEP_AFTER_SECONDS = env_int("KOUIKI_BULK_SWEEP_AFTER_SECONDS", 120)
KOUIKI_BULK_SWEEP_EVERY_SECONDS = env_int("KOUIKI_BULK_SWEEP_EVERY_SECONDS", 60)
# A file whose job was interrupted this many times is given up (its pending rows fail).
KOUIKI_BULK_MAX_ATTEMPTS = env_int("KOUIKI_BULK_MAX_ATTEMPTS", 10)

# I18N: the interface is Japanese whatever the browser asks for (no LocaleMiddleware: Django's own
# texts are always its Japanese ones); times are shown in Japan time.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

LOGIN_URL = "/member/login/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KOUIKI_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
CSRF_FAILURE_VIEW = "kouiki.core.views.csrf_failure"

# --- Settings added per area (keep each block together) ---

# Switching API (issue 7): the API's kernel (kouiki.core.api, kouiki.core.events) and its tokens.
# django-ninja serves its Swagger UI from its own static files (the CSP allows no CDN).
INSTALLED_APPS += ["ninja"]
# Requests per organization and window, for every API operation (429 with Retry-After beyond).
KOUIKI_API_RATE = os.environ.get("KOUIKI_API_RATE", "1200/m")
# How long the first answer to an Idempotency-Key is kept for replay.
KOUIKI_API_IDEMPOTENCY_HOURS = env_int("KOUIKI_API_IDEMPOTENCY_HOURS", 24)
# HTTPS callbacks: attempts before a delivery is failed, first backoff (doubling, at most 1 h),
# the receiver's time to answer, the lease of a sending worker, the sweeper.
KOUIKI_CALLBACK_MAX_ATTEMPTS = env_int("KOUIKI_CALLBACK_MAX_ATTEMPTS", 10)
KOUIKI_CALLBACK_BACKOFF_SECONDS = env_int("KOUIKI_CALLBACK_BACKOFF_SECONDS", 30)
KOUIKI_CALLBACK_TIMEOUT_SECONDS = env_int("KOUIKI_CALLBACK_TIMEOUT_SECONDS", 10)
KOUIKI_CALLBACK_LEASE_SECONDS = env_int("KOUIKI_CALLBACK_LEASE_SECONDS", 60)
KOUIKI_CALLBACK_SWEEP_AFTER_SECONDS = env_int("KOUIKI_CALLBACK_SWEEP_AFTER_SECONDS", 120)
KOUIKI_CALLBACK_SWEEP_EVERY_SECONDS = env_int("KOUIKI_CALLBACK_SWEEP_EVERY_SECONDS", 60)
# Plain http:// callbacks to 127.0.0.1 / localhost (a local receiver): tests and DEBUG only.
KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK = env_bool("KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK", DEBUG)

# Client certificates (X-C1, ADR 35): "required" refuses the switching and capacity systems (screens
# and API) to a request without a verified certificate of the user's organization; "off" (the
# default, `make run`) checks nothing. The proxy (deploy/nginx/) verifies the certificate and
# passes it in X-Client-Cert / X-Client-Verify, read only from KOUIKI_TRUSTED_PROXIES (addresses;
# empty: trust nobody), as is the client's address in X-Real-IP (core.request_context).
# KOUIKI_CLIENT_CA_CERT: the designated issuer's CA certificate(s), PEM; empty outside production:
# the sandbox's built-in CA under KOUIKI_CLIENT_CA_DIR. The CRL the proxy reads
# is written to KOUIKI_CLIENT_CRL_PATH, valid for KOUIKI_CLIENT_CRL_DAYS, refreshed daily.
KOUIKI_CLIENT_CERTIFICATES = os.environ.get("KOUIKI_CLIENT_CERTIFICATES", "off").strip().lower()
if KOUIKI_CLIENT_CERTIFICATES not in {"off", "required"}:
    # A typo must not switch the check off silently.
    raise ImproperlyConfigured("KOUIKI_CLIENT_CERTIFICATES must be 'off' or 'required'.")
KOUIKI_TRUSTED_PROXIES = env_list("KOUIKI_TRUSTED_PROXIES")
KOUIKI_CLIENT_CA_CERT = os.environ.get("KOUIKI_CLIENT_CA_CERT", "")
KOUIKI_CLIENT_CA_DIR = Path(os.environ.get("KOUIKI_CLIENT_CA_DIR", VAR_DIR / "ca"))
KOUIKI_CLIENT_CRL_PATH = Path(os.environ.get("KOUIKI_CLIENT_CRL_PATH", KOUIKI_CLIENT_CA_DIR / "crl.pem"))
KOUIKI_CLIENT_CRL_DAYS = env_int("KOUIKI_CLIENT_CRL_DAYS", 7)
if KOUIKI_CLIENT_CERTIFICATES == "required" and not KOUIKI_TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "KOUIKI_CLIENT_CERTIFICATES=required needs KOUIKI_TRUSTED_PROXIES (nginx's address)."
    )
if KOUIKI_CLIENT_CERTIFICATES == "required" and PRODUCTION and not KOUIKI_CLIENT_CA_CERT:
    raise ImproperlyConfigured(
        "KOUIKI_CLIENT_CERTIFICATES=required needs KOUIKI_CLIENT_CA_CERT in production."
    )

# Switching hub (issue 7)
# The operators' standard lead time from matching to a switching date (docs/decisions/0025), per
# area ("01".."10"; "default" for what an area does not say) and point class: [business days, then
# calendar days], "standard" without meter work and "meter_work" when the meter must be replaced.
# Low voltage and FIT-graduated (low voltage too) 1 + 2, 8 + 2 with meter work; high voltage under
# 500 kW 8 business days, with meter work 20 business days (Chugoku's figure, taken for the areas
# that publish none) and three weeks in Shikoku; 500 kW and more and extra-high voltage 10 business
# days. FIT points are never switched: no entry. JSON in KOUIKI_SWITCHING_LEAD_TIMES replaces it.
_LOW_LEAD_TIME = {"standard": [1, 2], "meter_work": [8, 2]}
_LARGE_LEAD_TIME = {"standard": [10, 0], "meter_work": [10, 0]}
KOUIKI_SWITCHING_LEAD_TIMES: dict[str, dict[str, dict[str, list[int]]]] = {
    "default": {
        "low": _LOW_LEAD_TIME,
        "fit_graduated": _LOW_LEAD_TIME,
        "high": {"standard": [8, 0], "meter_work": [20, 0]},
        "high_large": _LARGE_LEAD_TIME,
        "extra_high": _LARGE_LEAD_TIME,
    },
    "07": {"high": {"meter_work": [20, 0]}},  # 中国: 20 business days with meter work
    "08": {"high": {"meter_work": [0, 21]}},  # 四国: three weeks with meter work
}
if os.environ.get("KOUIKI_SWITCHING_LEAD_TIMES"):
    import json

    KOUIKI_SWITCHING_LEAD_TIMES = json.loads(os.environ["KOUIKI_SWITCHING_LEAD_TIMES"])
# Without a desired date, both the 開始申請 (05) and the 廃止申請 (03) of a switch must be in within
# this many business days after its cancel-forward registration; else both are rejected.
KOUIKI_SWITCHING_PAIR_BUSINESS_DAYS = env_int("KOUIKI_SWITCHING_PAIR_BUSINESS_DAYS", 8)
# How often the job that rejects switches past their deadline runs.
KOUIKI_SWITCHING_DEADLINE_EVERY_SECONDS = env_int("KOUIKI_SWITCHING_DEADLINE_EVERY_SECONDS", 900)
# The organization's switching desk: told by mail of every leak incident a participant records
# (漏えい等事案, SW-P3).
KOUIKI_SWITCHING_DESK_MAIL = os.environ.get("KOUIKI_SWITCHING_DESK_MAIL", "switching-desk@occto.example.jp")

# Operators' gateway (issue 7): messages to the ten area operators (docs/decisions/0014).
# "simulator" (the ten operators in process) or "http" (the endpoints below).
KOUIKI_TSO_ADAPTER = os.environ.get("KOUIKI_TSO_ADAPTER", "simulator")
# HTTP adapter: one endpoint per area; "{area}" in KOUIKI_TSO_ENDPOINT is the area code, and
# KOUIKI_TSO_ENDPOINT_<area> overrides one area.
_TSO_ENDPOINT = os.environ.get("KOUIKI_TSO_ENDPOINT", "http://127.0.0.1:8000/tso-simulator/{area}")
KOUIKI_TSO_ENDPOINTS = {
    area: os.environ.get(f"KOUIKI_TSO_ENDPOINT_{area}", _TSO_ENDPOINT.format(area=area)).rstrip("/")
    for area in (f"{number:02d}" for number in range(1, 11))
}
KOUIKI_TSO_HTTP_TOKEN = os.environ.get("KOUIKI_TSO_HTTP_TOKEN", "")
# Keep the HTTP timeout well below the lease: a send that outlives its lease may be sent again.
KOUIKI_TSO_HTTP_TIMEOUT_SECONDS = env_int("KOUIKI_TSO_HTTP_TIMEOUT_SECONDS", 10)
KOUIKI_TSO_LEASE_SECONDS = env_int("KOUIKI_TSO_LEASE_SECONDS", 120)
# Retries until the operator takes the message: 30 s, 1 min, 2 min, ... at most 10 min apart.
KOUIKI_TSO_RETRY_BASE_SECONDS = env_int("KOUIKI_TSO_RETRY_BASE_SECONDS", 30)
KOUIKI_TSO_RETRY_MAX_SECONDS = env_int("KOUIKI_TSO_RETRY_MAX_SECONDS", 600)
KOUIKI_TSO_SWEEP_AFTER_SECONDS = env_int("KOUIKI_TSO_SWEEP_AFTER_SECONDS", 120)
KOUIKI_TSO_SWEEP_EVERY_SECONDS = env_int("KOUIKI_TSO_SWEEP_EVERY_SECONDS", 60)
KOUIKI_TSO_POLL_EVERY_SECONDS = env_int("KOUIKI_TSO_POLL_EVERY_SECONDS", 30)
# An operator that took a message and has given no answer at all after this long is shown to
# staff (the operators answer "accepted" when they take a message; silence means something broke).
KOUIKI_TSO_UNANSWERED_HOURS = env_int("KOUIKI_TSO_UNANSWERED_HOURS", 24)
# The simulator: seconds before a final answer (0 = in the reply to the send), the share of sends
# that fail (deterministic by message id and attempt), and areas whose operator is down.
KOUIKI_TSO_SIMULATOR_DELAY_SECONDS = env_int("KOUIKI_TSO_SIMULATOR_DELAY_SECONDS", 0)
KOUIKI_TSO_SIMULATOR_FAILURE_RATE = float(os.environ.get("KOUIKI_TSO_SIMULATOR_FAILURE_RATE") or 0)
KOUIKI_TSO_SIMULATOR_DOWN_AREAS = env_list("KOUIKI_TSO_SIMULATOR_DOWN_AREAS")
# The simulator's HTTP face at /tso-simulator/<area>/ (off unless asked for), and its bearer token.
KOUIKI_TSO_SIMULATOR_HTTP = env_bool("KOUIKI_TSO_SIMULATOR_HTTP", False)
KOUIKI_TSO_SIMULATOR_TOKEN = os.environ.get("KOUIKI_TSO_SIMULATOR_TOKEN", "")
