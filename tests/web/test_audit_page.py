"""The audit view: changes with their before → after, jobs, filters by user, object type, action and day, bad
filter values named (400, not 500), and CSV export of what the filters select."""
import csv
import io

import pytest

from clusters.changelog.context import change_context
from tasks.models import Job
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, admin_user):
    client.force_login(admin_user)
    return client


def test_changes_show_who_did_what_with_before_and_after(web, admin_user):
    with change_context(user=admin_user, source="api"):
        cluster = factories.pg_cluster(pg_rto="norm")
        cluster.pg_rto = "fast"
        cluster.save()
    page = web.get("/audit/?object=clusters.pgcluster&action=update").content.decode()
    assert "admin" in page and cluster.name in page
    assert "<dt>pg_rto</dt><dd><del>norm</del> → <ins>fast</ins></dd>" in page
    assert "<dt>pg_version</dt>" not in page, "an update shows only what it changed"


def test_filters_select_changes_and_jobs(web, admin_user, django_user_model):
    other = django_user_model.objects.create_user("other", "o@example.com", "Pass-word-123")
    with change_context(user=admin_user, source="api"):
        mine = factories.deployment(name="mine")
    with change_context(user=other, source="ui"):
        factories.deployment(name="theirs")
    Job.objects.create(kind="pgsql.backup", target_repr="pg-a", status="succeeded", requested_by=other)
    page = web.get("/audit/?user=other").content.decode().split("<h2>Changes</h2>")[1]
    assert "theirs" in page and mine.name not in page and "pgsql.backup" in page
    assert "pgsql.backup" not in web.get("/audit/?user=admin").content.decode()
    assert "No change matches" in web.get("/audit/?since=2999-01-01").content.decode()


@pytest.mark.parametrize("query, text", [("object=nope.nothing", "not an object type"),
                                         ("since=yesterday", "not a day"), ("until=2026-13-40", "not a day")])
def test_a_bad_filter_is_named_not_a_500(web, query, text):
    response = web.get(f"/audit/?{query}")
    assert response.status_code == 400 and text in response.content.decode()


def test_csv_export_has_a_row_per_changed_field_and_per_job(web, admin_user):
    with change_context(user=admin_user, source="api"):
        cluster = factories.pg_cluster(pg_rto="norm")
        cluster.pg_rto = "fast"
        cluster.save()
    Job.objects.create(kind="pgsql.apply", target_repr=cluster.name, status="failed", requested_by=admin_user)
    response = web.get("/audit/?user=admin&export=csv")
    assert response["Content-Type"] == "text/csv" and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["record", "time", "user", "source", "action"]
    assert ["change", "admin", "api", "update", "clusters.pgcluster", cluster.name, "pg_rto", "norm", "fast"] in [
        [r[0], *r[2:]] for r in rows[1:]]
    assert any(r[0] == "job" and r[4] == "pgsql.apply" and r[-1] == "failed" for r in rows[1:])
