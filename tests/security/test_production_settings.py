"""Production settings, in a fresh process with the environment a production deployment sets: Django's deploy
check is clean, the HTTPS-only settings follow the environment, and missing or weak keys stop the start."""
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production_env(tmp_path):
    """The environment of a production deployment (no RDS_DEV, no DEBUG), keys of its own."""
    env = {key: value for key, value in os.environ.items() if key not in ("RDS_DEV", "DEBUG")}
    env.update(DJANGO_SETTINGS_MODULE="rdsconsole.settings", RDS_VAR_DIR=str(tmp_path),
               SECRET_KEY=secrets.token_urlsafe(50), RDS_SECRETS_KEYS=Fernet.generate_key().decode(),
               ALLOWED_HOSTS="rds.example.com", GRAFANA_URL="https://grafana.example.com/d/pgsql")
    return env


def manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def settings_of(env, *names) -> dict:
    code = ("import json, django; django.setup(); from django.conf import settings; "
            f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}, default=str))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_deploy_check_is_clean(production_env):
    done = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_deploy_check_fails_when_hsts_is_turned_off(production_env):
    """The check is really run against these settings: taking HSTS away is reported."""
    done = manage({**production_env, "RDS_HSTS_SECONDS": "0"}, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0 and "security.W004" in done.stderr


def test_https_only_by_default(production_env):
    values = settings_of(production_env, "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
                         "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                         "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SECURE_PROXY_SSL_HEADER", "DEBUG")
    assert values == {"SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000,
                      "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SESSION_COOKIE_SECURE": True,
                      "CSRF_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax",
                      "SECURE_PROXY_SSL_HEADER": None, "DEBUG": False}


def test_environment_tunes_proxy_hsts_and_login_throttling(production_env):
    env = {**production_env, "RDS_TLS_PROXY": "1", "RDS_HSTS_SECONDS": "3600", "RDS_HSTS_PRELOAD": "1",
           "RDS_LOGIN_FAILURE_LIMIT": "3", "RDS_LOGIN_COOLOFF_MINUTES": "30"}
    values = settings_of(env, "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD",
                         "SILENCED_SYSTEM_CHECKS", "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME")
    assert values == {"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"], "SECURE_HSTS_SECONDS": 3600,
                      "SECURE_HSTS_PRELOAD": True, "SILENCED_SYSTEM_CHECKS": [], "AXES_FAILURE_LIMIT": 3,
                      "AXES_COOLOFF_TIME": "0:30:00"}
    assert manage(env, "check", "--deploy", "--fail-level", "WARNING").returncode == 0


def test_local_run_is_plain_http(production_env):
    """RDS_DEV=1 (make run, the tests): no HTTPS redirect, HSTS or secure-only cookies, keys made in var/."""
    env = {key: value for key, value in production_env.items() if key not in ("SECRET_KEY", "RDS_SECRETS_KEYS")}
    values = settings_of({**env, "RDS_DEV": "1"}, "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
                         "SESSION_COOKIE_SECURE")
    assert values == {"SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 0, "SESSION_COOKIE_SECURE": False}
    assert (Path(env["RDS_VAR_DIR"]) / "secret_key").exists() and (Path(env["RDS_VAR_DIR"]) / "fernet.key").exists()


@pytest.mark.parametrize("change, message", [
    ({"SECRET_KEY": None}, "SECRET_KEY: a production deployment needs a key from the environment"),
    ({"SECRET_KEY": "short-and-guessable"}, "SECRET_KEY: a production deployment needs a key from the environment"),
    ({"SECRET_KEY": "x" * 60}, "at least 50 characters, 5 of them distinct"),
    ({"SECRET_KEY_FALLBACKS": "old"}, "SECRET_KEY_FALLBACKS: a production deployment needs a key"),
    ({"RDS_SECRETS_KEYS": None}, "RDS_SECRETS_KEYS must be set in the environment of a production deployment"),
    ({"RDS_SECRETS_KEYS": "not-a-fernet-key"}, "RDS_SECRETS_KEYS: key 1 is not a Fernet key"),
    ({"GRAFANA_URL": "grafana.example.com"}, "GRAFANA_URL must be an http(s) URL"),
])
def test_missing_or_weak_keys_stop_the_start(production_env, change, message):
    env = {key: value for key, value in {**production_env, **change}.items() if value is not None}  # None: unset
    done = manage(env, "check")
    assert done.returncode != 0
    assert message in done.stderr
    assert production_env["SECRET_KEY"] not in done.stderr and production_env["RDS_SECRETS_KEYS"] not in done.stderr
