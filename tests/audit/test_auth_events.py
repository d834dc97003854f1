"""Sign-ins are recorded: a login, a logout and a failed login through the real /login/ form (and the admin's)
each leave a chained AuthEvent with the username (the one tried, for a failure), the client's address, its user
agent and the door; never the password."""
import json

import pytest
from django.contrib.auth.signals import user_login_failed
from django.test import Client

from clusters.changelog.verify import verify_chain
from clusters.models import AuthEvent, ObjectChange

pytestmark = pytest.mark.django_db
PASSWORD = "s3cret-Pass-word"  # the admin_user fixture's
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


def browser(ip="192.0.2.10"):
    return Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=BROWSER)


def events() -> list[tuple]:
    return list(AuthEvent.objects.order_by("pk").values_list("action", "username", "ip", "user_agent", "source"))


def assert_no_password_anywhere(*passwords):
    for model in (AuthEvent, ObjectChange):
        for row in model.objects.values():
            text = json.dumps(row, default=str)
            for password in passwords:
                assert password not in text, (model.__name__, row["id"])


def test_login_logout_and_failed_login_through_the_form(admin_user):
    client = browser()
    response = client.post("/login/", {"username": "admin", "password": "Wrong-guess-1"})
    assert response.status_code == 200  # the form again, with its error
    assert client.post("/login/", {"username": "admin", "password": PASSWORD}).status_code == 302
    assert client.post("/logout/").status_code == 302
    assert events() == [("login_failed", "admin", "192.0.2.10", BROWSER, "ui"),
                        ("login", "admin", "192.0.2.10", BROWSER, "ui"),
                        ("logout", "admin", "192.0.2.10", BROWSER, "ui")]
    assert_no_password_anywhere(PASSWORD, "Wrong-guess-1")
    assert verify_chain(AuthEvent, "auth events").verified == 3


def test_a_failed_login_records_the_name_that_was_tried(db):
    browser("2001:db8::7").post("/login/", {"username": "no-such-user", "password": "Pass-4711"})
    assert events() == [("login_failed", "no-such-user", "2001:db8::7", BROWSER, "ui")]
    assert_no_password_anywhere("Pass-4711")


def test_the_admin_login_is_recorded_as_admin(admin_user):
    response = browser().post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302
    assert events() == [("login", "admin", "192.0.2.10", BROWSER, "admin")]


def test_an_anonymous_logout_records_nothing(db):
    browser().post("/logout/")
    assert events() == []


def test_a_failed_authentication_outside_a_request_is_recorded_without_an_address(db):
    user_login_failed.send(sender=__name__, credentials={"username": "cron", "password": "********"})
    assert events() == [("login_failed", "cron", None, "", "system")]


def test_awkward_header_values_are_stored_safely_and_still_verify(db):
    agent = "evil\x00agent " + "x" * 400
    Client(REMOTE_ADDR="::ffff:192.0.2.1", HTTP_USER_AGENT=agent).post(
        "/login/", {"username": "ghost", "password": "Pass-4711"})
    Client(REMOTE_ADDR="not-an-address").post("/login/", {"username": "ghost", "password": "Pass-4711"})
    first, second = AuthEvent.objects.order_by("pk")
    assert first.user_agent == ("evilagent " + "x" * 400)[:300] and first.ip
    assert second.ip is None
    report = verify_chain(AuthEvent, "auth events")
    assert (report.verified, report.broken) == (2, None)
