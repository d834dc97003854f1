"""Shared fixtures: API clients for a superuser and a plain user; and a guard that keeps every test's own
connections on loopback and the sandbox's guarded range."""
import ipaddress
import socket

import pytest
from rest_framework.test import APIClient

pytest_plugins = ["tests.fixtures_sandbox", "tests.fixtures_worker", "tests.fixtures_s3"]


# end-to-end modules share one cluster, in this order: built, switched over, changed, scanned for secrets, fed
# hostile input, backed up, restored, its primary crashed; then the browser test replaces it with one made
# through the console
E2E_ORDER = ("test_provision", "test_switchover", "test_day2", "test_secrets_scan", "test_injection", "test_backups",
             "test_restores", "test_unplanned_failover", "test_browser")


def pytest_collection_modifyitems(items):
    """End-to-end tests commit rows (the worker must see them) and share one cluster: they run last, so every
    other test starts from an empty database, and in E2E_ORDER."""
    def key(item):
        if item.get_closest_marker("e2e") is None:
            return (0, 0)
        module = item.module.__name__.rsplit(".", 1)[-1]
        return (1, E2E_ORDER.index(module) if module in E2E_ORDER else len(E2E_ORDER))
    items.sort(key=key)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django creates the test database only when a collected test asks for `db`; end-to-end tests work on
    committed data without that fixture, so when only they run, create it here (and drop it afterwards)."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    created = None
    with django_db_blocker.unblock():
        if not connection.creation.connection.settings_dict["NAME"].startswith("test_"):
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        close_other_sessions(connection)
        if created:
            teardown_databases(created, verbosity=0)


def close_other_sessions(connection):
    """The worker has stopped by now; what still holds the test database are connections Django opened in
    short-lived threads of this process (each thread gets its own and nothing closes it): end them so the
    database can be dropped."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    connection.close()


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "s3cret-Pass-word")


@pytest.fixture
def api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Every test creates users; the production hasher's deliberate slowness would only cost time here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


GUARDED = ipaddress.ip_network("198.18.0.0/15")


@pytest.fixture(autouse=True, scope="session")
def no_connection_beyond_the_lab():
    """Objects made by factories carry documentation-style addresses (10.x) that are nobody's here: a test whose
    code tries to reach one (an SSH connect while checking live state) is refused at once instead of sending
    packets off the machine."""
    original = socket.create_connection

    def guarded(address, *args, **kwargs):
        host = address[0]
        try:
            allowed = ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host) in GUARDED
        except ValueError:
            allowed = host == "localhost"
        if not allowed:
            raise ConnectionRefusedError(f"tests connect only to loopback and {GUARDED}, not {host}")
        return original(address, *args, **kwargs)

    socket.create_connection = guarded
    yield
    socket.create_connection = original
