"""Hostile text on the live pg-test, through the API and the real worker: a business user whose password and
comment, a database whose comment and HBA rules (PostgreSQL's and pgBouncer's) whose titles hold quotes, `;`,
`$()`, backquotes, backslashes, `--`, `%`, `$$`, psql meta-commands and line breaks. Real clients then show
that they arrived as literal values and never ran as code: the user logs in with exactly that password through
PostgreSQL (5433, 5436) and pgBouncer (6432, whose user list quotes it), the comments read back unchanged,
the titles stay comments in pg_hba.conf and pgb_hba.conf, canary tables survive `'; DROP TABLE …`, and no
`/tmp/pwned-*` file appears on any sandbox node or on this host. A line break in a password is refused with a
400 naming the field. Names are refused by validation: tests/security/test_injection_validation.py.
Everything made here is dropped again at the end, so the later modules find pg-test as before."""
import glob
import uuid
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql

from clusters import models
from tasks import ssh
from tasks.operations import psql

from .conftest import BUSINESS_DB, BUSINESS_PASSWORD, BUSINESS_USER, job_log, wait_job
from .test_provision import assert_healthy, connect, one

pytestmark = [pytest.mark.e2e, pytest.mark.sandbox]

TOKEN = uuid.uuid4().hex[:8]
PWNED = f"/tmp/pwned-{TOKEN}"
USER, DB, CANARY = "dbuser_inject", "inject_db", "e2e_canary"
HOSTILE = (f"it's \"q\"; $(touch {PWNED}-d) `touch {PWNED}-b` back\\slash \\! touch {PWNED}-p "
           f":'x' $$ -- 100% '; DROP TABLE {CANARY}; --")
PASSWORD = HOSTILE
COMMENT = f"{HOSTILE}\n\\! touch {PWNED}-n\nsecond line"
RULE_TITLE = f"{HOSTILE}\nhost all all 0.0.0.0/0 trust"


@dataclass
class Hostile:
    user_id: int
    database_id: int
    rule_ids: list
    jobs: list


def finished(client, response, status=201) -> dict:
    assert response.status_code == status, response.data
    job_id = response.data["job"]["id"] if status == 201 else response.data["id"]
    job = wait_job(client, job_id)
    assert job["status"] == "succeeded", job["error"]
    return job


def canaries(provisioned, statement: str):
    """Run `statement` (with the canary table's name) in the postgres and the business database, on the primary."""
    node = provisioned.node("primary")
    for db in ("postgres", BUSINESS_DB):
        psql.execute(node, [sql.SQL(statement).format(sql.Identifier(CANARY))], db=db)


@pytest.fixture(scope="module")
def hostile(provisioned, django_db_blocker):
    """The hostile user, database and rules, created on the live cluster; dropped again afterwards."""
    client, cluster = provisioned.client, provisioned.cluster_id
    with django_db_blocker.unblock():
        canaries(provisioned, "CREATE TABLE IF NOT EXISTS {} AS SELECT 1 AS id")
        user = client.post("/api/v1/users/", {"cluster": cluster, "name": USER, "password": PASSWORD,
                                              "comment": COMMENT, "roles": ["dbrole_readwrite"], "pgbouncer": True},
                           format="json")
        jobs = [finished(client, user)]
        database = client.post("/api/v1/databases/", {"cluster": cluster, "name": DB, "owner": USER,
                                                      "comment": COMMENT}, format="json")
        jobs.append(finished(client, database))
        rule_ids = []
        for rule_set in ("postgres", "pgbouncer"):
            rule = client.post("/api/v1/hba-rules/", {
                "deployment": provisioned.deployment.pk, "cluster": cluster, "rule_set": rule_set, "user": USER,
                "db": DB, "addr": "intra", "auth": "pwd", "title": RULE_TITLE}, format="json")
            assert rule.status_code == 201, rule.data
            rule_ids.append(rule.data["id"])
        jobs.append(finished(client, client.post(f"/api/v1/clusters/{cluster}/hba/apply/"), 202))
        yield Hostile(user.data["id"], database.data["id"], rule_ids, jobs)
        for rule_id in rule_ids:
            assert client.delete(f"/api/v1/hba-rules/{rule_id}/").status_code == 204
        finished(client, client.post(f"/api/v1/clusters/{cluster}/hba/apply/"), 202)
        finished(client, client.delete(f"/api/v1/databases/{database.data['id']}/", {"confirm": DB}, format="json"),
                 202)
        finished(client, client.delete(f"/api/v1/users/{user.data['id']}/", {"confirm": USER}, format="json"), 202)
        canaries(provisioned, "DROP TABLE IF EXISTS {}")


def test_a_password_with_a_line_break_is_refused_naming_the_field(provisioned, committed):
    response = provisioned.client.post("/api/v1/users/", {
        "cluster": provisioned.cluster_id, "name": "dbuser_newline", "password": "first line\nsecond line"},
        format="json")
    assert response.status_code == 400, response.data
    assert "line break" in str(response.data["password"]) and "first line" not in str(response.data)
    assert not models.PGUser.objects.filter(name="dbuser_newline").exists()


def test_the_user_logs_in_with_the_literal_password_through_postgres_and_pgbouncer(provisioned, committed,
                                                                                    hostile):
    ip = provisioned.nodes[1].ip
    for port in (5433, 5436, 6432):
        with connect(ip, port, dbname=DB, user=USER, password=PASSWORD) as conn:
            assert one(conn, "SELECT current_user") == USER
        with pytest.raises(psycopg.OperationalError, match="(password|SASL) authentication failed"):
            connect(ip, port, dbname=DB, user=USER, password=PASSWORD[:-1])  # pgBouncer says SASL
    texts = " ".join(line["text"] for job in hostile.jobs for line in job_log(provisioned.client, job["id"]))
    assert "created role dbuser_inject" in texts and HOSTILE not in texts


def test_comments_read_back_as_the_literal_text(provisioned, committed, hostile):
    with connect(provisioned.nodes[0].ip, 5436, dbname=DB, user=USER, password=PASSWORD) as conn:
        assert one(conn, "SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = %s",
                   USER) == COMMENT
        assert one(conn, "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                   DB) == COMMENT


def test_hba_titles_stay_comments_and_add_no_rule(provisioned, committed, hostile):
    title_line = "# " + " ".join(RULE_TITLE.split())
    for node in provisioned.nodes:
        for path in ("/pg/data/pg_hba.conf", "/etc/pgbouncer/pgb_hba.conf"):
            lines = ssh.run(node, ssh.build("cat", path), timeout=15).stdout.splitlines()
            assert title_line in lines, (node.ip, path)
            rules = [line.split() for line in lines if line.strip() and not line.lstrip().startswith("#")]
            assert not [rule for rule in rules if rule[-1] == "trust"], (node.ip, path)
            assert any(rule[:3] == ["host", DB, USER] for rule in rules), (node.ip, path)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(provisioned.nodes[0].ip, 5436, dbname=DB, user=USER, password="not the password")


def test_no_statement_or_command_ran_from_the_text(provisioned, committed, hostile):
    node = provisioned.node("primary")
    for db in ("postgres", BUSINESS_DB):
        assert psql.query_json(node, f"SELECT to_json(count(*)) FROM {CANARY}", db=db) == 1
    for member in provisioned.deployment.nodes.all():
        found = ssh.run(member, f"ls -1d {PWNED}* 2>/dev/null; true", timeout=15).stdout.split()
        assert found == [], (member.ip, found)
    assert glob.glob(f"{PWNED}*") == []


def test_the_cluster_still_serves_every_user(provisioned, committed, hostile):
    assert_healthy(provisioned)
    for node in provisioned.nodes:
        for port in (5433, 6432):
            with connect(node.ip, port, user=BUSINESS_USER, password=BUSINESS_PASSWORD) as conn:
                assert one(conn, "SELECT current_user") == BUSINESS_USER
