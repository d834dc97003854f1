"""Login throttling (django-axes): a username is locked for logins from one address after AXES_FAILURE_LIMIT
failures, for AXES_COOLOFF_TIME, on the console's and the admin's login page; the page says so and until when.
API tokens, sessions and the test clients' logins keep working."""
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from clusters.access.tokens import issue
from rdsconsole.login_throttle import client_ip

pytestmark = pytest.mark.django_db
PASSWORD = "s3cret-Pass-word"  # admin_user's


def log_in(client, password, username="admin", path="/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


def fail(client, times, **kwargs):
    """`times` wrong passwords: the form again with its error each time, until the last (which may lock)."""
    for _ in range(times - 1):
        assert log_in(client, "wrong-password", **kwargs).status_code == 200
    return log_in(client, "wrong-password", **kwargs)


def test_the_fifth_failure_locks_until_the_cool_off_ends(admin_user):
    client = Client()
    assert fail(client, 4).status_code == 200
    assert fail(client, 1).status_code == 429
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    until = AccessAttempt.objects.get().attempt_time + timedelta(minutes=15)  # the wait restarts at each attempt
    assert "Too many failed logins: admin is locked for logins from your" in page
    assert f"until {until:%Y-%m-%d %H:%M} UTC" in page
    assert "Traceback" not in page and '<form method="post" class="login">' in page
    assert "_auth_user_id" not in client.session


def test_the_right_password_works_again_after_the_cool_off(admin_user):
    client = Client()
    fail(client, 5)
    assert log_in(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(admin_user.pk)


def test_a_success_before_the_limit_starts_the_count_again(admin_user):
    client = Client()
    assert fail(client, 4).status_code == 200
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    assert fail(client, 4).status_code == 200
    assert log_in(client, PASSWORD).status_code == 302


def test_the_lock_is_per_username_and_address(admin_user, django_user_model):
    django_user_model.objects.create_user("other", password="0ther-Pass-word")
    fail(Client(), 5)
    assert log_in(Client(REMOTE_ADDR="192.0.2.7"), PASSWORD).status_code == 302
    assert log_in(Client(), "0ther-Pass-word", username="other").status_code == 302
    assert log_in(Client(), PASSWORD).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=2)
def test_the_limit_is_a_setting(admin_user):
    client = Client()
    assert fail(client, 2).status_code == 429
    assert log_in(client, PASSWORD).status_code == 429


def test_the_admin_login_is_throttled_too(admin_user):
    client = Client()
    assert fail(client, 5, path="/admin/login/").status_code == 429
    response = log_in(client, PASSWORD, path="/admin/login/")
    assert response.status_code == 429 and b"Too many failed logins" in response.content
    assert log_in(client, PASSWORD).status_code == 429  # the same username+address on the console's page


def test_the_password_tried_is_not_stored(admin_user):
    fail(Client(), 1)
    attempt = AccessAttempt.objects.get()
    assert "wrong-password" not in attempt.post_data and attempt.username == "admin"


def test_api_and_sessions_keep_working_for_a_locked_username(admin_user):
    fail(Client(), 5)
    _, key = issue(user=admin_user, name="ci")
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/clusters/").status_code == 200
    session = Client()
    session.force_login(admin_user)
    assert session.get("/api/v1/clusters/").status_code == 200
    assert session.get("/").status_code == 200


@pytest.mark.parametrize("proxy, meta, expected", [
    (False, {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}, "192.0.2.1"),
    (True, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.5, 198.51.100.9"}, "198.51.100.9"),
    (True, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "not-an-address"}, "10.0.0.2"),
    (True, {"REMOTE_ADDR": "10.0.0.2"}, "10.0.0.2"),
])
def test_the_address_failures_are_counted_for(proxy, meta, expected):
    header = ("HTTP_X_FORWARDED_PROTO", "https") if proxy else None
    with override_settings(SECURE_PROXY_SSL_HEADER=header):
        assert client_ip(RequestFactory().post("/login/", **meta)) == expected
