"""Django settings, read from environment variables with safe defaults.

DATABASE_URL   panel database (default: SQLite file var/rdsconsole.sqlite3; tests and CI use PostgreSQL)
REDIS_URL      Celery broker and result backend (default redis://127.0.0.1:6379/0)
SECRET_KEY     Django signing key (default: generated once into var/secret_key)
RDS_SECRETS_KEYS  comma-separated Fernet keys encrypting secrets at rest, newest first
               (default: generated once into var/fernet.key)
GRAFANA_URL    optional Grafana base URL for embedding
RDS_POLL_INTERVAL  seconds between reads of every cluster's Patroni state (default 10)
ALLOWED_HOSTS  comma-separated (default localhost,127.0.0.1)
DEBUG          "1"/"true" to enable (default off)
"""
import os
from pathlib import Path

import dj_database_url

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


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY") or read_or_create_key(VAR_DIR / "secret_key", kind="django")
SECRETS_KEYS = env_list("RDS_SECRETS_KEYS", None) or [read_or_create_key(VAR_DIR / "fernet.key", kind="fernet")]
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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "clusters",
    "backups",
    "monitoring",
    "tasks",
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
    "django_htmx.middleware.HtmxMiddleware",
    "clusters.changelog.middleware.ChangeContextMiddleware",
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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
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
                            "NewReplicaRoleEnum": [("replica", "replica"), ("offline", "offline")]},
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
# line); Django's own records (request errors) go to the same handler instead of Django's default ones
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "rdsconsole.redact.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
