"""Names that reach SQL identifiers, shell commands and config files are refused by validation when they hold
quotes, `;`, `$()`, backquotes, backslashes, `--`, `%`, spaces or line breaks: the API answers 400 naming the
field and the rule, and saves nothing. So does a password with a line break (pgBouncer's user list is one
line per user) and a restore point name that pgBackRest would write unescaped into postgresql.auto.conf.
Values that are free text (comments, passwords) go through as literals: tests/e2e/test_injection.py."""
from datetime import datetime, timezone

import pytest

from backups.catalog import parse_info
from backups.models import RestoreRequest
from backups.store import store
from clusters import models
from tests import factories
from tests.backups.info_sample import info

pytestmark = pytest.mark.django_db

EVIL = ["it's", 'say"hi', "a;b", "a$(touch /tmp/pwned)", "a`id`", "back\\slash", "a -- b", "100%", "two\nlines"]


def refused(api, url, body, field, rule):
    model_count = {m: m.objects.count() for m in (models.PGCluster, models.PGDatabase, models.PGUser,
                                                  models.HBARule, models.Deployment, RestoreRequest)}
    response = api.post(url, body, format="json")
    assert response.status_code == 400, (body, response.data)
    assert field in response.data, response.data
    assert rule in " ".join(map(str, response.data[field])), response.data
    assert model_count == {m: m.objects.count() for m in model_count}, "a refused request saved something"


@pytest.mark.parametrize("name", EVIL)
def test_cluster_and_deployment_names(api, name):
    dep = factories.deployment()
    refused(api, "/api/v1/clusters/", {"deployment": dep.pk, "name": name}, "name", "[a-zA-Z0-9-]+")
    refused(api, "/api/v1/deployments/", {"name": name}, "name", "[a-z0-9][a-z0-9_-]*")


@pytest.mark.parametrize("name", EVIL)
def test_database_name_and_owner(api, name):
    cluster = factories.pg_cluster()
    refused(api, "/api/v1/databases/", {"cluster": cluster.pk, "name": name}, "name", "PostgreSQL identifier")
    refused(api, "/api/v1/databases/", {"cluster": cluster.pk, "name": "app", "owner": name}, "owner",
            "PostgreSQL identifier")


@pytest.mark.parametrize("name", EVIL)
def test_user_name_and_roles(api, name):
    cluster = factories.pg_cluster()
    refused(api, "/api/v1/users/", {"cluster": cluster.pk, "name": name, "password": "Pass-word-123"}, "name",
            "PostgreSQL identifier")
    refused(api, "/api/v1/users/", {"cluster": cluster.pk, "name": "dbuser_app", "roles": [name]}, "roles",
            "not valid PostgreSQL identifiers")


@pytest.mark.parametrize("name", EVIL)
def test_names_nested_in_a_new_cluster(api, name):
    dep = factories.deployment()
    body = {"deployment": dep.pk, "name": "pg-nested", "users": [{"name": name}]}
    refused(api, "/api/v1/clusters/", body, "users[0].name", "PostgreSQL identifier")
    body = {"deployment": dep.pk, "name": "pg-nested", "databases": [{"name": name}]}
    refused(api, "/api/v1/clusters/", body, "databases[0].name", "PostgreSQL identifier")


@pytest.mark.parametrize("field, rule", [("user", "+role or a role name"),
                                         ("db", "database names separated by commas"),
                                         ("addr", "valid CIDR"), ("auth", "auth aliases"),
                                         ("role", "is not a valid choice")])
@pytest.mark.parametrize("value", EVIL)
def test_hba_rule_fields(api, field, rule, value):
    cluster = factories.pg_cluster()
    body = {"deployment": cluster.deployment.pk, "cluster": cluster.pk, "user": "dbuser_app", "db": "app",
            "addr": "intra", "auth": "pwd", "title": "a rule"}
    refused(api, "/api/v1/hba-rules/", {**body, field: value}, field, rule)


@pytest.mark.parametrize("password", ["first\nsecond", "carriage\rreturn", "trailing\n"])
def test_a_password_with_a_line_break_is_refused(api, password):
    cluster = factories.pg_cluster()
    refused(api, "/api/v1/users/", {"cluster": cluster.pk, "name": "dbuser_app", "password": password},
            "password", "cannot contain a line break")
    user = models.PGUser.objects.create(cluster=cluster, name="dbuser_kept", password="Kept-pass-1")
    response = api.patch(f"/api/v1/users/{user.pk}/", {"password": password}, format="json")
    assert response.status_code == 400 and "line break" in str(response.data["password"]), response.data
    assert models.PGUser.objects.get(pk=user.pk).password == "Kept-pass-1"
    assert password not in str(response.data), "the refusal must not echo the password"


def test_a_password_with_every_other_special_character_is_accepted(api):
    cluster = factories.pg_cluster()
    password = "it's \"q\"; $(touch /tmp/pwned) `id` back\\slash -- 100%"
    response = api.post("/api/v1/users/", {"cluster": cluster.pk, "name": "dbuser_app", "password": password},
                        format="json")
    assert response.status_code == 201, response.data
    assert models.PGUser.objects.get(pk=response.data["id"]).password == password


@pytest.fixture
def backed_up():
    """A running cluster on a shared repository whose catalogue has backups: restore requests reach the target
    checks."""
    cluster = factories.pg_cluster(status="running", vars={
        "pgbackrest_method": "shared", "pgbackrest_repo": {"shared": {"path": "/pg/shared/backup"}}})
    factories.etcd_cluster(cluster.deployment)
    store(cluster, "10.0.0.1", parse_info(info(cluster.name), cluster.name),
          {"wal": "000000010000000000000009", "time": datetime(2026, 11, 25, 11, 30, tzinfo=timezone.utc)})
    return cluster


def restore_body(cluster, target):
    return {"cluster": cluster.pk, "mode": "branch", "target_type": "name", "target": target,
            "new_cluster": f"{cluster.name}-restored", "nodes": [factories.node(cluster.deployment).ip],
            "reason": "undo it's \"bad\"; $(touch /tmp/pwned) migration\nsecond line"}


@pytest.mark.parametrize("target", ["before 'upgrade'", "back\\slash", "two\nlines", "tab\there", "nul\x01"])
def test_a_restore_point_name_pgbackrest_cannot_write_is_refused(api, backed_up, target):
    refused(api, "/api/v1/restores/", restore_body(backed_up, target), "target", "postgresql.auto.conf")


def test_a_restore_point_name_with_shell_characters_is_a_literal(api, backed_up):
    target = 'v2 "$(touch /tmp/pwned)"; `id` -- 100%'
    response = api.post("/api/v1/restores/", restore_body(backed_up, target), format="json")
    assert response.status_code == 201, response.data
    request = RestoreRequest.objects.get(pk=response.data["id"])
    assert (request.target, request.reason) == (target, restore_body(backed_up, target)["reason"])
