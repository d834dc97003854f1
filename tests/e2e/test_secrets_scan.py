"""No secret in plaintext anywhere the panel writes or answers, on the shared pg-test after provisioning, a
switchover and the day-2 changes: every value of every encrypted field (system passwords, business users'
passwords, SSH keys and passwords, repository keys, secret vars), the Django SECRET_KEY and the Fernet keys
are searched in (a) every text and JSON column of every table of the panel's database, read with raw SQL;
(b) job log lines, errors, results and params; (c) the change log; (d) every API list, the detail of every
object listed and its GET actions, the OpenAPI schema, the console pages and the admin's change pages; (e) the
Celery worker's log and this process's log. A finding names the place and the secret's label, never the
secret."""
import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from psycopg import sql

from clusters.models import ObjectChange
from rdsconsole.api_urls import router
from tasks.models import Job, JobLogLine

from .conftest import BUSINESS_USER
from .secret_values import collect, encrypted_fields

pytestmark = [pytest.mark.e2e, pytest.mark.sandbox]

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")


@pytest.fixture(scope="module")
def secrets(provisioned, django_db_blocker):
    with django_db_blocker.unblock():
        return collect()


@pytest.fixture(scope="module")
def finder(secrets):
    return secrets.finder()


def test_every_kind_of_secret_is_collected(provisioned, committed, secrets):
    labels = [label for places in secrets.labels.values() for label in places]
    cluster = f"clusters.pgcluster#{provisioned.cluster_id} (pg-test).secret_vars"
    for expected in (f"{cluster}.pg_admin_password", f"{cluster}.pg_replication_password",
                     f"{cluster}.patroni_password", ".password", "clusters.credential#", "settings.SECRET_KEY",
                     "settings.SECRETS_KEYS[0]", "clusters.deployment#"):
        assert any(expected in label for label in labels), f"no secret labelled {expected}"
    assert any(label.endswith(f"(pg-test:{BUSINESS_USER}).password") for label in labels)
    assert secrets.skipped == [], "secrets too short to search for: the scan would not cover them"
    finder = secrets.finder()
    missed = [places[0] for value, places in secrets.labels.items() if not finder.labels_in(f"<p>{value}</p>")]
    assert missed == [], "the finder does not find these secrets"


def text_columns() -> dict:
    """{table: [column, ...]} of every text, varchar and JSON column of every table of the panel's database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.table_name, c.column_name FROM information_schema.columns c "
                       "JOIN information_schema.tables t USING (table_schema, table_name) "
                       "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
                       "AND c.data_type = ANY(%s) ORDER BY 1, 2", [list(TEXT_TYPES)])
        columns = {}
        for table, column in cursor.fetchall():
            columns.setdefault(table, []).append(column)
    return columns


def row_key(cursor, table: str) -> sql.Composable:
    """The table's primary key column(s), else its ctid: what names a row in a finding."""
    cursor.execute("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                   "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary", [table])
    keys = [row[0] for row in cursor.fetchall()]
    if not keys:
        return sql.SQL("ctid::text")
    return sql.SQL(" || ',' || ").join(sql.SQL("{}::text").format(sql.Identifier(k)) for k in keys)


def test_the_database_holds_no_plaintext_secret(provisioned, committed, finder):
    columns, leaks, scanned = text_columns(), [], 0
    assert {"clusters_pgcluster", "clusters_pguser", "tasks_joblogline", "clusters_objectchange"} <= set(columns)
    with connection.cursor() as cursor:
        for table, names in columns.items():
            query = sql.SQL("SELECT {}, {} FROM {}").format(
                row_key(cursor, table), sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(n))
                                                           for n in names), sql.Identifier(table))
            cursor.execute(query)
            for key, *values in cursor.fetchall():
                for name, value in zip(names, values):
                    scanned += value is not None
                    leaks += finder.scan(f"{table}.{name} row {key}", value)
    assert not leaks, "\n".join(leaks)
    assert scanned > 1000, f"only {scanned} values scanned"


def test_job_logs_errors_results_and_params_hold_no_secret(provisioned, committed, finder):
    leaks, jobs = [], list(Job.objects.all())
    for job in jobs:
        for name in ("error", "result", "params", "target_repr", "step_name"):
            leaks += finder.scan(f"job #{job.pk} ({job.kind}) {name}", str(getattr(job, name)))
    for line in JobLogLine.objects.order_by("job_id", "seq").iterator():
        leaks += finder.scan(f"job #{line.job_id} log line {line.seq}", line.text)
    assert not leaks, "\n".join(leaks)
    assert len(jobs) >= 10 and JobLogLine.objects.count() > 200, "too little activity to scan"


def test_the_change_log_holds_no_secret(provisioned, committed, finder):
    leaks, changes = [], list(ObjectChange.objects.all())
    assert any(c.object_repr == f"pg-test:{BUSINESS_USER}" for c in changes)
    for change in changes:
        for name in ("before", "after", "object_repr", "diff"):
            leaks += finder.scan(f"change #{change.pk} {name}", str(getattr(change, name)))
    assert not leaks, "\n".join(leaks)


def api_pages(client, url: str):
    """(url, response) of a list and of its following pages."""
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        yield url, response
        body = response.data
        url = body.get("next") if isinstance(body, dict) else None


def test_api_responses_hold_no_secret(provisioned, committed, finder):
    client, leaks, seen = provisioned.client, [], 0
    for prefix, viewset, _ in router.registry:
        detail_actions = [a.url_path for a in viewset.get_extra_actions() if a.detail and "get" in a.mapping]
        for url, response in api_pages(client, f"/api/v1/{prefix}/"):
            leaks += finder.scan(url, response.content.decode())
            body = response.data
            for item in body.get("results", []) if isinstance(body, dict) else body:
                for path in ["", *(f"{action}/" for action in detail_actions)]:
                    item_url = f"/api/v1/{prefix}/{item['id']}/{path}"
                    answer = client.get(item_url)
                    assert answer.status_code == 200, (item_url, answer.status_code)
                    leaks += finder.scan(item_url, answer.content.decode())
                    seen += 1
    for job in Job.objects.all():
        after, lines = 0, True
        while lines:
            body = client.get(f"/api/v1/jobs/{job.pk}/log/?after={after}").data
            lines, after = body["lines"], body["last"]
            leaks += [f"/api/v1/jobs/{job.pk}/log/ line {line['seq']}: {found}"
                      for line in lines for found in finder.labels_in(line["text"])]
    for url in ("/api/schema/", "/api/schema/?format=json", "/api/docs/"):
        response = client.get(url)
        assert response.status_code == 200, url
        leaks += finder.scan(url, response.content.decode())
    assert not leaks, "\n".join(leaks)
    assert seen > 100, f"only {seen} objects read"


def console_pages(provisioned) -> list[str]:
    cluster = provisioned.cluster_id
    pages = ["/", "/clusters/", f"/clusters/{cluster}/", f"/clusters/{cluster}/members/", "/clusters/new/",
             "/nodes/", "/jobs/", "/restores/", "/restores/new/", "/audit/", "/audit/?export=csv",
             f"/audit/?object_id={cluster}"]
    for job in Job.objects.all():
        pages += [f"/jobs/{job.pk}/", f"/jobs/{job.pk}/log/"]
    for model, model_admin in admin.site._registry.items():
        if encrypted_fields(model):
            info = (model._meta.app_label, model._meta.model_name)
            pages += [f"/admin/{info[0]}/{info[1]}/"]
            pages += [f"/admin/{info[0]}/{info[1]}/{pk}/change/" for pk in
                      model._base_manager.values_list("pk", flat=True)]
    return pages


def test_console_and_admin_pages_hold_no_secret(provisioned, committed, finder):
    browser, leaks = Client(), []
    browser.force_login(provisioned.user)
    pages = console_pages(provisioned)
    assert any("/admin/clusters/pguser/" in page for page in pages)
    for page in pages:
        response = browser.get(page)
        assert response.status_code == 200, (page, response.status_code)
        leaks += finder.scan(page, response.content.decode())
    assert not leaks, "\n".join(leaks)


def test_server_and_worker_logs_hold_no_secret(provisioned, committed, finder, celery_worker_process, server_log):
    leaks = []
    for path in (celery_worker_process.log_path, server_log):
        lines = path.read_text(errors="replace").splitlines()
        assert lines, f"{path} is empty"
        for number, line in enumerate(lines, start=1):
            leaks += finder.scan(f"{path.name} line {number}", line)
    assert not leaks, "\n".join(leaks)

