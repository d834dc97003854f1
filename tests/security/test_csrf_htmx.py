"""CSRF with htmx: every page puts the CSRF token into <body hx-headers>, so each htmx request carries it; a POST
without it is refused (403, on a page of our own that the Content-Security-Policy lets render)."""
import json
import re

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    return client


def body_headers(html: str) -> dict:
    """The headers htmx adds to every request of the page: <body hx-headers='{…}'>."""
    return json.loads(re.search(r"<body hx-headers='([^']*)'>", html).group(1))


def wizard_form(dep) -> dict:
    return {"deployment": dep.pk, "name": "pg-csrf", "pg_version": "15", "pg_rto": "norm", "pg_conf": "oltp"}


def test_htmx_post_with_the_page_token_passes(web):
    dep = factories.deployment()
    page = web.get(f"/clusters/new/?deployment={dep.pk}")
    headers = body_headers(page.content.decode())
    assert set(headers) == {"X-CSRFToken"} and headers["X-CSRFToken"]
    response = web.post("/clusters/new/", wizard_form(dep), headers={"HX-Request": "true", **headers})
    assert response.status_code == 200
    assert b"choose the cluster" in response.content  # the wizard's feedback fragment: it ran


def test_htmx_post_without_the_token_is_refused(web):
    dep = factories.deployment()
    web.get(f"/clusters/new/?deployment={dep.pk}")
    response = web.post("/clusters/new/", wizard_form(dep), headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert b"CSRF token" in response.content and b"<style" not in response.content


def test_htmx_post_with_a_wrong_token_is_refused(web):
    dep = factories.deployment()
    web.get(f"/clusters/new/?deployment={dep.pk}")
    response = web.post("/clusters/new/", wizard_form(dep), headers={"HX-Request": "true", "X-CSRFToken": "x" * 32})
    assert response.status_code == 403


def test_every_page_carries_the_token(web):
    cluster = factories.pg_cluster()
    for path in ("/", "/clusters/", f"/clusters/{cluster.pk}/", "/nodes/", "/jobs/", "/restores/", "/audit/"):
        assert body_headers(web.get(path).content.decode())["X-CSRFToken"], path


def test_the_csrf_cookie_is_not_readable_by_scripts(web):
    response = web.get("/clusters/")
    assert response.cookies["csrftoken"]["httponly"] is True
    assert response.cookies["csrftoken"]["samesite"] == "Lax"
