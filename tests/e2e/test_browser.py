"""The console in a real browser (Debian's chromium driven by Playwright) against the live stack: the panel served
by pytest-django's live server, the real Celery worker, the sandbox. It logs in, creates a 3-node cluster through
the wizard and watches the job finish, sees the members' live roles, switches over from the cluster page and
sees the roles change, takes a backup, requests an in-place PITR as one user and approves it as another, and finds
both actions in the audit view. Screenshots of each page go to the test artifacts folder.

Runs last: it first destroys the shared pg-test cluster to free the three nodes it uses."""
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from clusters.models import Membership

from .conftest import succeeded

pytestmark = [pytest.mark.e2e, pytest.mark.sandbox]

CHROMIUM = "/usr/bin/chromium"
ADMIN, ADMIN_PASSWORD = "e2e-admin", "e2e-Pass-word-1"
APPROVER, APPROVER_PASSWORD = "web-approver", "web-Pass-word-3"
NAME = "pg-web"
TIMEOUT = 240_000  # ms: an apply, a switchover or an in-place restore, with room on a busy CI machine


@pytest.fixture(scope="module")
def free_nodes(provisioned, django_db_blocker):
    """The shared cluster destroyed and forgotten, so its three nodes are free for the wizard; a second user who
    may approve restores."""
    with django_db_blocker.unblock():
        client = provisioned.client
        succeeded(client, client.post(f"/api/v1/clusters/{provisioned.cluster_id}/destroy/", {"confirm": "pg-test"},
                                      format="json"))
        assert client.delete(f"/api/v1/clusters/{provisioned.cluster_id}/").status_code == 204
        approver = get_user_model().objects.create_user(APPROVER, "approver@example.com", APPROVER_PASSWORD)
        Membership.objects.create(user=approver, deployment=provisioned.deployment, role="approver")
        yield provisioned.nodes
        approver.delete()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class Shots:
    """Numbered screenshots of each page, in the test artifacts folder."""

    def __init__(self):
        root = Path(os.environ.get("RDS_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
        self.folder = root / "screenshots"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def take(self, page, name: str):
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)


def log_in(page, base: str, user: str, password: str):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def wait_job_succeeded(page):
    page.wait_for_url(re.compile(r".*/jobs/\d+/$"))
    page.wait_for_selector("#job-progress .status-succeeded, #job-progress .status-failed", timeout=TIMEOUT)
    assert page.locator("#job-progress .status-succeeded").count() == 1, page.inner_text("#job-progress")


def live_roles(page) -> dict:
    rows = page.locator("#members tbody tr")
    return {rows.nth(i).locator("td").nth(0).inner_text(): rows.nth(i).locator("td").nth(3).inner_text()
            for i in range(rows.count())}


def wait_one_primary_two_replicas(page):
    """Until the polled members table shows the live roles Patroni reports: one primary, two replicas."""
    page.wait_for_function(
        """() => { const roles = [...document.querySelectorAll('#members tbody tr')]
                     .map(r => r.children[3].innerText.trim());
                   return roles.filter(r => r === 'primary').length === 1
                          && roles.filter(r => r === 'replica').length === 2; }""", timeout=TIMEOUT)


def test_the_console_end_to_end(provisioned, committed, free_nodes, browser, live_server):
    for name, password in ((ADMIN, ADMIN_PASSWORD), (APPROVER, APPROVER_PASSWORD)):
        user = get_user_model().objects.get(username=name)  # hashed again with this test's password hasher
        user.set_password(password)
        user.save()
    shots, base = Shots(), live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(30_000)
    csp_violations = []  # chromium reports what the Content-Security-Policy refused as console errors
    page.on("console", lambda message: csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    log_in(page, base, ADMIN, ADMIN_PASSWORD)
    assert "e2e-admin · admin" in page.inner_text("header")
    shots.take(page, "dashboard")
    page.goto(f"{base}/nodes/")
    assert all(node.ip in page.inner_text("table") for node in free_nodes)
    shots.take(page, "nodes")

    page.goto(f"{base}/clusters/new/?deployment={provisioned.deployment.pk}")
    page.fill("input[name=name]", NAME)
    for node, role in zip(free_nodes, ("primary", "replica", "replica")):
        page.select_option(f"select[name='role_{node.ip}']", role)
    page.check("input[name=pg_rto][value=fast]")
    page.fill("input[name=database]", "web")
    page.fill("input[name=user]", "dbuser_web")
    page.fill("input[name=password]", "Web-user-pass-1")
    page.wait_for_selector(f"#feedback code:has-text('{free_nodes[0].ip}:5433')")
    assert page.locator("#wizard-errors").count() == 0
    shots.take(page, "wizard")
    page.click("button:has-text('Create and apply')")
    wait_job_succeeded(page)
    shots.take(page, "apply-job")

    page.goto(f"{base}/clusters/")
    shots.take(page, "clusters")
    page.click(f"a:has-text('{NAME}')")
    wait_one_primary_two_replicas(page)
    before = live_roles(page)
    old_primary = next(name for name, role in before.items() if role == "primary")
    shots.take(page, "cluster")

    page.click("button:has-text('Switch over')")
    wait_job_succeeded(page)
    cluster_id = provisioned.deployment.pg_clusters.get(name=NAME).pk
    page.goto(f"{base}/clusters/{cluster_id}/")
    page.wait_for_function(
        """(old) => [...document.querySelectorAll('#members tbody tr')]
             .some(r => r.children[3].innerText.trim() === 'primary' && r.children[0].innerText.trim() !== old)""",
        arg=old_primary, timeout=TIMEOUT)
    assert live_roles(page)[old_primary] != "primary"
    shots.take(page, "after-switchover")

    page.select_option("form[action$='/do/backup/'] select[name=type]", "full")
    page.click("button:has-text('Back up')")
    wait_job_succeeded(page)

    page.goto(f"{base}/restores/new/?cluster={cluster_id}")
    page.wait_for_selector("text=Recovery window")
    page.select_option("select[name=mode]", "in-place")
    page.select_option("select[name=target_type]", "latest")
    page.fill("input[name=confirm]", NAME)
    page.fill("textarea[name=reason]", "browser test: roll back to the end of WAL")
    shots.take(page, "restore-request")
    page.click("button:has-text('Ask for approval')")
    page.wait_for_url(f"{base}/restores/")
    assert "another approver decides" in page.inner_text("table")
    page.click("button:has-text('Log out')")

    log_in(page, base, APPROVER, APPROVER_PASSWORD)
    page.goto(f"{base}/restores/")
    page.fill("form[action*='/approve/'] input[name=comment]", "checked with the requester")
    page.click("button:has-text('Approve')")
    page.wait_for_url(f"{base}/restores/")
    shots.take(page, "restore-approved")
    page.click("a:has-text('job #')")
    wait_job_succeeded(page)
    shots.take(page, "restore-job")

    page.goto(f"{base}/jobs/")
    assert "pgsql.restore" in page.inner_text("table")
    shots.take(page, "jobs")
    page.goto(f"{base}/audit/")
    audit = page.inner_text("main")
    assert "pgsql.switchover" in audit and "pgsql.restore" in audit
    assert "e2e-admin" in audit and APPROVER in audit
    page.goto(f"{base}/audit/?object=backups.restorerequest")
    changes = page.inner_text("table.audit")
    assert "create" in changes and "e2e-admin" in changes and APPROVER in changes
    shots.take(page, "audit")
    page.close()
    assert csp_violations == []
