"""Shared fixtures: API clients for a superuser and a plain user."""
import pytest
from rest_framework.test import APIClient

pytest_plugins = ["tests.fixtures_sandbox", "tests.fixtures_worker"]


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
