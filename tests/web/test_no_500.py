"""Bad input never makes a console page fail: every form and filter answered with junk or nothing gets a page
(4xx with the reason, or the page again), never a 500."""
import pytest
from django.test import Client

from clusters.console_actions import ACTIONS
from tests import factories

pytestmark = pytest.mark.django_db
JUNK = {"name": "\u0000bad", "ip": "x", "type": "weekly", "instance": "nope", "confirm": "", "pg_rto": "??",
        "node": "999", "rule": "abc", "order": "1e9", "roles": ",,,", "password": "", "owner": "ghost",
        "pending_only": "maybe", "candidate": "pg-none"}


@pytest.fixture
def web(admin_user):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("form", [{}, JUNK], ids=["empty", "junk"])
def test_cluster_operations_with_bad_input(web, action, form):
    cluster = factories.pg_cluster()  # declared: jobs that need a running cluster are refused by their checks
    response = web.post(f"/clusters/{cluster.pk}/do/{action}/", form)
    assert response.status_code < 500, response.content[:500]


@pytest.mark.parametrize("method, url, data", [
    ("post", "/clusters/new/", {}),
    ("post", "/clusters/new/", {"deployment": "abc", "role_10.0.0.1": "primary", "pg_version": "x", "pg_rpo": "x"}),
    ("post", "/restores/new/", {"cluster": "abc"}),
    ("post", "/restores/999999/approve/", {}),
    ("post", "/nodes/", {"ip": "x", "ssh_port": "-1", "deployment": "abc"}),
    ("post", "/deployment/", {"deployment": "abc"}),
    ("get", "/audit/?since=x&until=y&object=a.b", None),
    ("get", "/jobs/?page=abc&status=nope", None),
    ("get", "/clusters/?page=-3", None),
    ("get", "/restores/new/?cluster=abc", None),
    ("get", "/clusters/new/?deployment=abc", None),
])
def test_pages_with_bad_input(web, method, url, data):
    response = getattr(web, method)(url, data) if data is not None else web.get(url)
    assert response.status_code < 500, response.content[:500]


def test_the_job_log_with_a_bad_cursor(web):
    from tasks.models import Job
    job = Job.objects.create(kind="pgsql.apply", status="running")
    assert web.get(f"/jobs/{job.pk}/log/?after=abc").status_code == 200


def test_a_restore_request_with_junk_nodes(web):
    from backups.catalog import parse_info
    from backups.store import store
    from tests.backups.info_sample import info
    from tests.backups.test_restore_requests import SHARED_REPO

    cluster = factories.pg_cluster(status="running", vars=SHARED_REPO)
    store(cluster, "10.0.0.1", parse_info(info(cluster.name), cluster.name), {})
    response = web.post("/restores/new/", {"cluster": cluster.pk, "mode": "branch", "target_type": "latest",
                                           "new_cluster": "pg-x", "nodes": ["x", "\u0000"], "reason": "x"})
    assert response.status_code == 400 and "is not an IP address" in response.content.decode()
