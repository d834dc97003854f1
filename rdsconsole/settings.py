"""Django settings, read from environment variables with safe defaults.

A production deployment is the default: HTTPS only (redirect, HSTS, secure cookies) and both keys from the
environment. RDS_DEV=1 marks a local run over plain http (`make run`, the test suite), where missing keys are
generated once into var/.

DATABASE_URL   panel database (default: SQLite file var/rdsconsole.sqlite3; tests and CI use PostgreSQL)
REDIS_URL      Celery broker and result backend (default redis://127.0.0.1:6379/0)
SECRET_KEY     Django signing key; required in production (50+ characters); RDS_DEV: generated into var/secret_key
SECRET_KEY_FALLBACKS  comma-separated previous signing keys still accepted (sessions survive a SECRET_KEY change)
RDS_SECRETS_KEYS  comma-separated Fernet keys encrypting secrets at rest, newest first; required in production;
               RDS_DEV: generated once into var/fernet.key
GRAFANA_URL    optional Grafana base URL for embedding (its origin is allowed in frames)
RDS_POLL_INTERVAL  seconds between reads of every cluster's Patroni state (default 10)
ALLOWED_HOSTS  comma-separated (default localhost,127.0.0.1)
DEBUG          "1"/"true" to enable (default off; implies RDS_DEV unless RDS_DEV=0)
RDS_DEV        "1" for a local run over plain http (default off)
RDS_TLS_PROXY  "1" when a TLS-terminating proxy in front sets X-Forwarded-Proto and appends X-Forwarded-For
RDS_HSTS_SECONDS, RDS_HSTS_SUBDOMAINS, RDS_HSTS_PRELOAD  HSTS in production (default 1 year, on, off)
RDS_LOGIN_FAILURE_LIMIT, RDS_LOGIN_COOLOFF_MINUTES  failed logins before a username+address is locked, and for how
               long (default 5, 15)
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from rdsconsole.content_policy import content_security_policy
from rdsconsole.keyfiles import read_or_create_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RDS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


NEW_FERNET_KEY = "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"


def strong_secret_key(name: str, value: str) -> str:
    """A signing key of a production deployment: long and varied (the rule of Django's deploy check)."""
    if len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            f"{name}: a production deployment needs a key from the environment of at least 50 characters, 5 of them "
            f"distinct (make one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'); RDS_DEV=1 "
            f"marks a local run over http instead")
    return value


def fernet_keys(keys: list[str]) -> list[str]:
    """The keys of RDS_SECRETS_KEYS, each checked to be a Fernet key (a typo stops the start, not the first save)."""
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError:
            raise ImproperlyConfigured(f"RDS_SECRETS_KEYS: key {position} is not a Fernet key (32 url-safe "
                                       f"base64-encoded bytes; make one with: {NEW_FERNET_KEY})") from None
    return keys


DEBUG = env_bool("DEBUG")
DEV = env_bool("RDS_DEV", DEBUG)
if DEV:
    SECRET_KEY = os.environ.get("SECRET_KEY") or read_or_create_key(VAR_DIR / "secret_key", kind="django")
    SECRETS_KEYS = env_list("RDS_SECRETS_KEYS", None) or [read_or_create_key(VAR_DIR / "fernet.key", kind="fernet")]
else:
    SECRET_KEY = strong_secret_key("SECRET_KEY", os.environ.get("SECRET_KEY", ""))
    SECRETS_KEYS = env_list("RDS_SECRETS_KEYS", None)
    if not SECRETS_KEYS:
        raise ImproperlyConfigured(
            f"RDS_SECRETS_KEYS must be set in the environment of a production deployment (a key made before is in "
            f"var/fernet.key; a new one: {NEW_FERNET_KEY})")
SECRET_KEY_FALLBACKS = [key if DEV else strong_secret_key("SECRET_KEY_FALLBACKS", key)
                        for key in env_list("SECRET_KEY_FALLBACKS", [])]
SECRETS_KEYS = fernet_keys(SECRETS_KEYS)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
GRAFANA_URL = os.environ.get("GRAFANA_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "csp",
    "axes",
    "clusters",
    "backups",
    "monitoring",
    "tasks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rdsconsole.header_hygiene.StripNulFromHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clusters.changelog.middleware.ChangeContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rdsconsole.urls"
WSGI_APPLICATION = "rdsconsole.wsgi.application"

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
                "rdsconsole.console.console",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'rdsconsole.sqlite3'}",
        conn_max_age=60,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# HTTPS only in production; RDS_TLS_PROXY trusts the X-Forwarded-Proto header of a TLS-terminating proxy in front
SECURE_SSL_REDIRECT = not DEV
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("RDS_TLS_PROXY") else None
SECURE_HSTS_SECONDS = 0 if DEV else int(os.environ.get("RDS_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("RDS_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("RDS_HSTS_PRELOAD", False)
# asking browsers to hard-code the site as HTTPS-only (the preload list) is the operator's decision, not a default
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEV
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # pages carry the token (htmx sends it from <body hx-headers>); no script reads the cookie
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = content_security_policy(GRAFANA_URL)

# login throttling (django-axes): a username is locked for logins from one address after repeated failures, on the
# console's and the admin's login page; logins without a request (test clients, commands) are not throttled
AUTHENTICATION_BACKENDS = ["rdsconsole.login_throttle.LoginThrottleBackend",
                           "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("RDS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("RDS_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every manage.py command; failed logins are in the sign-in log
AXES_LOCKOUT_CALLABLE = "rdsconsole.login_throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "rdsconsole.login_throttle.client_ip"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clusters.access.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "clusters.api.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "rdsconsole API",
    "DESCRIPTION": "Self-hosted RDS control panel for PostgreSQL (Pigsty model).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # a new replica's pg_role (replica or offline) is a subset of an instance's (primary, replica, offline)
    "ENUM_NAME_OVERRIDES": {"PgRoleEnum": "clusters.models.pgsql.PG_ROLES",
                            "NewReplicaRoleEnum": [("replica", "replica"), ("offline", "offline")],
                            "MembershipRoleEnum": "clusters.models.access.ROLES",
                            "HbaRuleRoleEnum": "clusters.models.pgsql.HBARule.ROLES"},
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# seconds between two reads of every running cluster's Patroni state (failover tracking)
POLL_INTERVAL = float(os.environ.get("RDS_POLL_INTERVAL", "10"))
# point-in-time restores: approvals each request needs (never the requester's), and hours until it expires
RESTORE_APPROVALS_REQUIRED = int(os.environ.get("RDS_RESTORE_APPROVALS", "1"))
RESTORE_REQUEST_TTL_HOURS = float(os.environ.get("RDS_RESTORE_TTL_HOURS", "24"))
# entries written into django-celery-beat's tables when beat starts (editable in the admin afterwards)
CELERY_BEAT_SCHEDULE = {
    "reap-orphaned-jobs": {"task": "tasks.reap_orphaned_jobs", "schedule": 30.0},
    "poll-clusters": {"task": "tasks.poll_clusters", "schedule": POLL_INTERVAL},
    "expire-restore-requests": {"task": "backups.expire_restore_requests", "schedule": 60.0},
}
CELERY_TIMEZONE = TIME_ZONE

# every record is redacted before it is written (an exception's text may echo a connection string or a command
# line); Django's own records (request errors) reach it too, instead of Django's default handlers
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "rdsconsole.redact.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
