"""Token and session authentication, the create_api_token command, the OpenAPI schema and the docs page."""
import io

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from clusters.access.tokens import issue
from clusters.api.views import ROUTES
from clusters.models import ApiToken


@pytest.mark.django_db
def test_token_auth(admin_user):
    _, key = issue(user=admin_user, name="ci")
    for keyword in ("Token", "Bearer"):
        client = APIClient(HTTP_AUTHORIZATION=f"{keyword} {key}")
        assert client.get("/api/v1/deployments/").status_code == 200
    response = client.post("/api/v1/deployments/", {"name": "staging"}, format="json")
    assert response.status_code == 201
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key[:-1]}x").get("/api/v1/deployments/").status_code == 401


@pytest.mark.django_db
def test_create_api_token_command(admin_user):
    out = io.StringIO()
    call_command("create_api_token", "admin", "--name", "ci", stdout=out)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=admin_user, name="ci")
    assert key.startswith(token.prefix) and key not in token.key_hash
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/clusters/").status_code == 200


@pytest.mark.django_db
def test_session_auth(admin_user):
    client = APIClient()
    assert client.login(username="admin", password="s3cret-Pass-word")
    assert client.get("/api/v1/nodes/").status_code == 200


@pytest.mark.django_db
def test_openapi_schema_documents_every_route(anon):
    response = anon.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert {f"/api/v1/{prefix}/" for prefix, _ in ROUTES} <= set(schema["paths"])
    schemes = schema["components"]["securitySchemes"]
    assert (schemes["tokenAuth"]["in"], schemes["tokenAuth"]["name"]) == ("header", "Authorization")
    assert '"Token"' in schemes["tokenAuth"]["description"]
    assert schemes["cookieAuth"]["name"] == "sessionid"


def test_openapi_schema_is_valid_and_complete(tmp_path):
    """The schema validates against the OpenAPI 3 specification and drf-spectacular has nothing to warn about
    (every field and method typed)."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert yaml.safe_load((tmp_path / "schema.yml").read_text())["info"]["title"] == "rdsconsole API"


@pytest.mark.django_db
def test_docs_page_is_served(admin_user):
    """The interactive docs are public like the schema (SERVE_PERMISSIONS AllowAny); the API itself is not."""
    client = Client()
    anonymous = client.get("/api/docs/")
    assert anonymous.status_code == 200 and b"swagger" in anonymous.content.lower()
    client.force_login(admin_user)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    # the page's script is a separate request (no inline script under the Content-Security-Policy)
    assert b'<script src="/api/docs/?script=">' in response.content
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"/api/schema/" in script.content
