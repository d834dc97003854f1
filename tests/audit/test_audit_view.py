"""The console's audit view shows sign-ins next to changes and jobs: filtered by user, action (login, logout,
login_failed) and day like the rest, none when an object type is chosen, and in the CSV export."""
import csv
import io

import pytest
from django.test import Client

from clusters.models import AuthEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(admin_user):
    """The admin signed in through the form (a login event), after a failed try by someone else."""
    client = Client(REMOTE_ADDR="192.0.2.44", HTTP_USER_AGENT="curl/8.5.0")
    client.post("/login/", {"username": "mallory", "password": "Guess-4711"})
    assert client.post("/login/", {"username": "admin", "password": "s3cret-Pass-word"}).status_code == 302
    return client


def signins(page: str) -> str:
    return page.split("<h2>Sign-ins</h2>")[1]


def test_sign_ins_are_listed_with_address_and_user_agent(web):
    section = signins(web.get("/audit/").content.decode())
    assert "mallory" in section and "login_failed" in section and "admin" in section
    assert "192.0.2.44" in section and "curl/8.5.0" in section


def test_sign_ins_are_filtered_by_user_action_and_day(web):
    assert "mallory" not in signins(web.get("/audit/?user=admin").content.decode())
    failed = signins(web.get("/audit/?action=login_failed").content.decode())
    assert "mallory" in failed and "<td>admin</td>" not in failed
    assert "No sign-in matches" in web.get("/audit/?since=2999-01-01").content.decode()
    assert "No sign-in matches" in web.get("/audit/?object=clusters.pgcluster").content.decode()
    assert web.get("/audit/?action=login&until=yesterday").status_code == 400


def test_sign_ins_are_in_the_csv_export(web):
    response = web.get("/audit/?action=login_failed&export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    failed = AuthEvent.objects.get(action="login_failed")
    assert [["auth", failed.time.isoformat(), "mallory", "ui", "login_failed", "", "", "ip", "", "192.0.2.44"],
            ["auth", failed.time.isoformat(), "mallory", "ui", "login_failed", "", "", "user agent", "",
             "curl/8.5.0"]] == [row for row in rows if row[0] == "auth"]
