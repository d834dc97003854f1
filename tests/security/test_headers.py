"""Security headers on every response: the Content-Security-Policy (with the Grafana embed's origin in frame-src
when GRAFANA_URL is set), Referrer-Policy, Cross-Origin-Opener-Policy, nosniff and X-Frame-Options."""
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from rdsconsole.content_policy import content_security_policy, origin

pytestmark = pytest.mark.django_db


def directives(response) -> dict:
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def test_policy_allows_only_this_origin_and_no_inline_code(client):
    policy = directives(client.get("/login/"))
    assert policy == {"default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"],
                      "img-src": ["'self'", "data:"], "frame-src": ["'self'"], "frame-ancestors": ["'none'"],
                      "form-action": ["'self'"], "base-uri": ["'self'"], "object-src": ["'none'"]}


def test_grafana_origin_is_allowed_in_frames(client, admin_user):
    client.force_login(admin_user)
    with override_settings(CONTENT_SECURITY_POLICY=content_security_policy("https://grafana.example.com:3000/d/x")):
        for path in ("/", "/clusters/", "/api/docs/"):
            policy = directives(client.get(path))
            assert policy["frame-src"] == ["'self'", "https://grafana.example.com:3000"], path
            assert policy["script-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]


def test_other_security_headers(client, admin_user):
    client.force_login(admin_user)
    for path in ("/login/", "/", "/api/v1/clusters/", "/api/docs/", "/admin/"):
        headers = client.get(path).headers
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", path
        assert "Content-Security-Policy" in headers, path


@pytest.mark.parametrize("url, expected", [
    ("https://grafana.example.com", "https://grafana.example.com"),
    ("http://10.10.10.10:3000/d/pgsql-cluster?orgId=1", "http://10.10.10.10:3000"),
    ("https://admin:hunter2@grafana.example.com/", "https://grafana.example.com"),
    ("https://[2001:db8::1]:3000/", "https://[2001:db8::1]:3000"),
])
def test_origin_of_the_grafana_url(url, expected):
    assert origin(url) == expected


@pytest.mark.parametrize("url", ["grafana.example.com", "javascript:alert(1)", "ftp://grafana.example.com", "https://"])
def test_a_grafana_url_that_is_not_one_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="GRAFANA_URL must be an http"):
        origin(url)
