"""Shared fixtures: API clients for a superuser and a plain user."""
import pytest
from rest_framework.test import APIClient

pytest_plugins = ["tests.fixtures_sandbox", "tests.fixtures_worker", "tests.fixtures_s3"]


# end-to-end modules share one cluster, in this order: built, switched over, changed, backed up, restored, then
# its primary crashed
E2E_ORDER = ("test_provision", "test_switchover", "test_day2", "test_backups", "test_restores",
             "test_unplanned_failover")


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
    if created:
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=0)


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
