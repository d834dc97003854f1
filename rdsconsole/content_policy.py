"""The Content-Security-Policy of every response (django-csp 4): scripts, styles and images from this origin only (no
inline code anywhere), frames from this origin and the Grafana embed, no plugins, never framed by another site."""
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured


def origin(url: str) -> str:
    """scheme://host[:port] of an http(s) URL (what a CSP source names), without credentials or path."""
    parts = urlsplit(url.strip())
    host = parts.netloc.rpartition("@")[2]
    if parts.scheme not in ("http", "https") or not host:
        raise ImproperlyConfigured("GRAFANA_URL must be an http(s) URL with a host, such as "
                                   "https://grafana.example.com")
    return f"{parts.scheme}://{host}"


def content_security_policy(grafana_url: str = "") -> dict:
    """django-csp's CONTENT_SECURITY_POLICY setting; `grafana_url` (may be empty) is the embedded Grafana."""
    frames = [SELF, origin(grafana_url)] if grafana_url else [SELF]
    return {"DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-src": frames,
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }}
