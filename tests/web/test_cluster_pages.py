"""Console pages of clusters and jobs, rendered by the server: what they show, the fragments htmx polls, the
empty states, login, 404 for what does not exist, and a number of queries that does not grow with the data."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backups.catalog import parse_info
from backups.store import store
from clusters.models import ClusterEvent
from tasks.models import Job, JobLogLine
from tests import factories
from tests.backups.info_sample import info

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, admin_user):
    client.force_login(admin_user)
    return client


def cluster_with_members(**fields):
    cluster = factories.pg_cluster(status="running", **fields)
    for seq in (2, 3):
        factories.pg_instance(cluster, pg_seq=seq, pg_role="replica")
    cluster.instances.filter(pg_seq=1).update(live_role="primary", live_state="running", live_timeline=3,
                                              live_lag_mb=0, live_updated=timezone.now())
    return cluster


def test_pages_need_a_login(client):
    cluster = factories.pg_cluster()
    for url in ("/clusters/", f"/clusters/{cluster.pk}/", f"/clusters/{cluster.pk}/members/", "/jobs/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_the_cluster_list_links_each_cluster_and_says_what_to_do_when_empty(web):
    assert b"No clusters yet" in web.get("/clusters/").content
    cluster = cluster_with_members()
    page = web.get("/clusters/").content.decode()
    assert f'href="/clusters/{cluster.pk}/"' in page and cluster.name in page and "running" in page


def test_the_cluster_list_queries_do_not_grow_with_the_clusters(web):
    cluster_with_members()
    with CaptureQueriesContext(connection) as one:
        web.get("/clusters/")
    for _ in range(5):
        cluster_with_members()
    with CaptureQueriesContext(connection) as six:
        web.get("/clusters/")
    assert len(six) == len(one)


def test_the_detail_shows_topology_services_backups_events_and_jobs(web):
    cluster = cluster_with_members()
    app_user = cluster.users.create(name="dbuser_app", password="App-pass-word-1", roles=["dbrole_readwrite"])
    cluster.databases.create(name="app", owner=app_user.name)
    store(cluster, "10.0.0.1", parse_info(info(cluster.name), cluster.name), {})
    ClusterEvent.objects.create(cluster=cluster, kind="failover", message=f"failover: {cluster.name}-1 → -2")
    Job.objects.create(kind="pgsql.apply", target_repr=cluster.name, status="succeeded",
                       content_type_id=cluster_content_type(), object_id=cluster.pk)
    page = web.get(f"/clusters/{cluster.pk}/").content.decode()
    ips = [i.node.ip for i in cluster.instances.order_by("pg_seq")]
    assert f"{cluster.name}-1" in page and "primary" in page
    uri = "postgres://dbuser_app@" + ",".join(f"{ip}:5433" for ip in ips) + "/app"
    assert uri in page and f"{cluster.name}-primary" in page and "6432" in page
    assert "Recovery window" in page and "20261125-100000F" in page
    assert "failover:" in page and "pgsql.apply" in page
    assert "App-pass-word-1" not in page


def test_the_members_fragment_is_the_polled_table_alone(web):
    cluster = cluster_with_members()
    fragment = web.get(f"/clusters/{cluster.pk}/members/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<table id="members"') and 'hx-trigger="every 5s"' in fragment
    assert "<html" not in fragment and f"{cluster.name}-3" in fragment


def test_a_missing_cluster_or_job_is_404(web):
    assert web.get("/clusters/999999/").status_code == 404
    assert web.get("/jobs/999999/").status_code == 404
    assert web.get("/jobs/999999/log/").status_code == 404


def test_a_running_job_page_polls_for_new_log_lines_until_it_ends(web):
    job = Job.objects.create(kind="pgsql.apply", target_repr="pg-x", status="running", step_index=2, step_count=9,
                             step_name="write configuration files")
    JobLogLine.objects.create(job=job, seq=1, text="step 1/9: check nodes and packages")
    page = web.get(f"/jobs/{job.pk}/").content.decode()
    assert "step 2 of 9: write configuration files" in page and f"/jobs/{job.pk}/log/?after=1" in page

    JobLogLine.objects.create(job=job, seq=2, text="step 2/9: write configuration files", node="10.0.0.1")
    fragment = web.get(f"/jobs/{job.pk}/log/?after=1").content.decode()
    assert "step 2/9" in fragment and "step 1/9" not in fragment and f"?after=2" in fragment

    Job.objects.filter(pk=job.pk).update(status="failed", error="step 'x' failed on node 10.0.0.1: boom")
    ended = web.get(f"/jobs/{job.pk}/log/?after=2").content.decode()
    assert 'id="log-poll"' not in ended and "boom" in ended


def test_the_job_list_filters_by_status(web):
    Job.objects.create(kind="pgsql.apply", target_repr="pg-a", status="succeeded")
    Job.objects.create(kind="pgsql.backup", target_repr="pg-b", status="failed")
    page = web.get("/jobs/?status=failed").content.decode()
    assert "pgsql.backup" in page and "pgsql.apply" not in page
    assert "No jobs yet" in web.get("/jobs/?status=cancelled").content.decode()


def cluster_content_type() -> int:
    from django.contrib.contenttypes.models import ContentType

    from clusters.models import PGCluster
    return ContentType.objects.get_for_model(PGCluster).pk


def test_the_dashboard_shows_health_jobs_approvals_and_failovers_in_fixed_queries(web, django_user_model):
    from backups.models import RestoreRequest

    cluster = cluster_with_members()
    store(cluster, "10.0.0.1", parse_info(info(cluster.name), cluster.name), {})
    Job.objects.create(kind="pgsql.backup", target_repr=cluster.name, status="running")
    RestoreRequest.objects.create(cluster=cluster, mode="in-place", target_type="latest", reason="x",
                                  expires_at=timezone.now() + timezone.timedelta(hours=1))
    ClusterEvent.objects.create(cluster=cluster, kind="failover", message=f"failover: {cluster.name}-1 → -2")
    with CaptureQueriesContext(connection) as first:
        page = web.get("/").content.decode()
    assert "1/3" in page and "pgsql.backup" in page and "in-place" in page and "failover:" in page
    assert " ago" in page  # the last backup's age
    for _ in range(4):
        cluster_with_members()
    with CaptureQueriesContext(connection) as more:
        web.get("/")
    assert len(more) == len(first)


def test_the_header_shows_the_role_and_the_chosen_deployment_filters_the_clusters(web, django_user_model):
    first, second = cluster_with_members(), cluster_with_members()
    page = web.get("/clusters/").content.decode()
    assert "admin · admin" in page and first.name in page and second.name in page
    response = web.post("/deployment/", {"deployment": first.deployment.pk, "next": "/clusters/"})
    assert response.status_code == 302 and response["Location"] == "/clusters/"
    page = web.get("/clusters/").content.decode()
    assert first.name in page and second.name not in page
    web.post("/deployment/", {"deployment": "", "next": "https://elsewhere.example/"})
    assert second.name in web.get("/clusters/").content.decode()

    operator = django_user_model.objects.create_user("op", "op@example.com", "Pass-word-123")
    web.force_login(operator)
    page = web.get("/clusters/").content.decode()
    assert "op · no role" in page and first.name not in page and second.name not in page
    factories.member(operator, first.deployment, "operator")
    page = web.get("/clusters/").content.decode()
    assert "op · operator" in page and first.name in page and second.name not in page


def test_a_job_is_cancelled_from_its_page(web):
    queued = Job.objects.create(kind="pgsql.apply", target_repr="pg-x", status="queued")
    assert f"/jobs/{queued.pk}/cancel/" in web.get(f"/jobs/{queued.pk}/").content.decode()
    assert web.post(f"/jobs/{queued.pk}/cancel/").status_code == 302
    queued.refresh_from_db()
    assert queued.status == "cancelled"
    running = Job.objects.create(kind="pgsql.apply", target_repr="pg-x", status="running")
    web.post(f"/jobs/{running.pk}/cancel/")
    running.refresh_from_db()
    assert running.cancel_requested and running.status == "running"
    assert "stops before its next step" in web.get(f"/jobs/{running.pk}/").content.decode()
    assert f"/jobs/{queued.pk}/cancel/" not in web.get(f"/jobs/{queued.pk}/").content.decode()
