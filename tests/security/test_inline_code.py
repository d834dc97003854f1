"""Nothing the Content-Security-Policy refuses is in a page: no inline <script> body, no on…= handler, no
javascript: URL, no <style> block or style= attribute, no hx-on (htmx's eval). Checked in the template sources
(templates/ and static HTML) and in the pages as served, third-party templates (admin, Swagger UI) included."""
import re
from pathlib import Path

import pytest
from django.test import Client

from tasks.models import Job
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=[\"']application/json[\"'])[^>]*>", re.I),
    "on…= handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "<style> block": re.compile(r"<style\b", re.I),
    "style= attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "hx-on attribute": re.compile(r"<[^>]*\s(?:data-)?hx-on", re.I),
}


def inline_code(html: str) -> list[str]:
    return [f"{what}: {match.group(0)[:80]}" for what, pattern in INLINE.items() for match in pattern.finditer(html)]


@pytest.mark.parametrize("snippet, what", [
    ("<script>alert(1)</script>", "inline <script>"),
    ('<script type="module">go()</script>', "inline <script>"),
    ('<select name="x" onchange="this.form.submit()">', "on…= handler"),
    ('<button\n  class="copy" onClick="copy()">', "on…= handler"),
    ('<a href="javascript:void(0)">', "javascript: URL"),
    ("<style>p { color: red }</style>", "<style> block"),
    ('<div class="bar" style="width: 40%">', "style= attribute"),
    ('<form hx-on:submit="go()">', "hx-on attribute"),
])
def test_the_scanner_finds_each_kind(snippet, what):
    assert [found.split(":")[0] for found in inline_code(snippet)] == [what.split(":")[0]]


def test_the_scanner_lets_allowed_markup_through():
    allowed = ('<script src="/static/htmx.min.js" defer></script><script id="c" type="application/json">{}</script>'
               '<button type="button" data-copy="postgres://x">Copy</button><select data-autosubmit>'
               '<option>one</option></select><progress max="3" value="1"></progress>')
    assert inline_code(allowed) == []


def template_sources():
    return sorted([*(ROOT / "templates").rglob("*.html"), *(ROOT / "static").rglob("*.html")])


@pytest.mark.parametrize("path", template_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_template_sources_have_no_inline_code(path):
    assert inline_code(path.read_text()) == []


@pytest.fixture
def pages(admin_user):
    """Every kind of console page, with objects to show."""
    cluster = factories.pg_cluster(status="running")
    job = Job.objects.create(kind="pgsql.apply", status="running", target=cluster, step_count=3, step_index=1)
    return ["/login/", "/", "/clusters/", f"/clusters/{cluster.pk}/", f"/clusters/{cluster.pk}/members/",
            f"/clusters/new/?deployment={cluster.deployment.pk}", "/nodes/", "/jobs/", f"/jobs/{job.pk}/",
            f"/jobs/{job.pk}/log/", "/restores/", f"/restores/new/?cluster={cluster.pk}", "/audit/", "/api/docs/",
            "/admin/", "/admin/clusters/pgcluster/", f"/admin/clusters/pgcluster/{cluster.pk}/change/"]


@pytest.mark.django_db
def test_served_pages_have_no_inline_code(pages, admin_user):
    client = Client()
    for path in ("/login/", "/admin/login/"):
        assert inline_code(client.get(path).content.decode()) == [], path
    client.force_login(admin_user)
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert inline_code(response.content.decode()) == [], path
