"""The web app serves the login page, redirects anonymous users to it, and serves the API docs and schema."""
import pytest


@pytest.mark.django_db
def test_login_page_served(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content and b'name="password"' in response.content


@pytest.mark.django_db
def test_dashboard_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_login_then_dashboard_shows_empty_state(client, admin_user):
    response = client.post("/login/", {"username": "admin", "password": "s3cret-Pass-word"})
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert b"No deployments yet" in page.content


@pytest.mark.django_db
def test_api_docs_and_schema_served(client):
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    assert b"cdn" not in docs.content.lower() and b"https://" not in docs.content, "docs must not load from a CDN"
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert b"/api/v1/clusters/" in schema.content


def test_htmx_vendored_not_cdn():
    from pathlib import Path

    base = (Path(__file__).resolve().parent.parent / "templates" / "base.html").read_text()
    assert "static 'htmx.min.js'" in base and "//" not in base.split("htmx.min.js")[0].rsplit("<script", 1)[1]
