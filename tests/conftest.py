"""Shared fixtures: API clients for a superuser and a plain user."""
import pytest
from rest_framework.test import APIClient


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
