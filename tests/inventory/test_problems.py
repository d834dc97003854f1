"""A bad inventory is refused whole, with every problem located by file, cluster, host and field, and nothing
is imported (the database is exactly as before)."""
import pytest

from clusters.inventory import InventoryError, import_inventory
from clusters.models import Deployment, ObjectChange

from .canonical import MODELS, canonical
from .conftest import PIGSTY_CONF

pytestmark = pytest.mark.django_db

BAD = """
all:
  children:
    pg-test:
      hosts:
        10.10.10.11: { pg_seq: 1, pg_role: primary }
        10.10.10.12: { pg_seq: 2, pg_role: primary }
        10.10.10.13: { pg_seq: 3, pg_role: replica }
        10.10.10.16: { pg_seq: 3, pg_role: replica }
      vars:
        pg_cluster: pg-test
        pg_users:
          - { name: dbuser_app, password: DBUser.DBA }
        pg_hba_rules:
          - { user: all, db: all, addr: nowhere, auth: pwd }
    pg.bad:
      hosts:
        10.10.10.14: { pg_seq: 1, pg_role: primary }
      vars: { pg_cluster: pg.bad }
    etcd:
      hosts:
        10.10.10.11: { etcd_seq: 1 }
        10.10.10.12: { etcd_seq: 2 }
      vars: { etcd_cluster: etcd }
    redis-ms:
      hosts:
        10.10.10.15:
          redis_node: 1
          redis_instances:
            6379: {}
            6379: { replica_of: '10.10.10.15 6380' }
      vars: { redis_cluster: redis-ms }
"""


def counts() -> dict:
    return {m.__name__: m.objects.count() for m in [Deployment, ObjectChange, *MODELS]}


def refuse(source, name="prod") -> list:
    with pytest.raises(InventoryError) as caught:
        import_inventory(source, name, filename="bad.yml")
    return caught.value.problems


def has(problems, cluster, host, field, text) -> bool:
    return any(p["file"] == "bad.yml" and p["cluster"] == cluster and p["host"] == host and p["field"] == field
               and text in p["message"] for p in problems)


def test_every_problem_is_listed_and_nothing_is_imported():
    before = counts()
    problems = refuse(BAD)
    assert counts() == before

    assert has(problems, "redis-ms", "10.10.10.15", "redis_instances.6379", "duplicate key '6379'")
    assert has(problems, "pg-test", None, "pg_role", "exactly one primary")
    assert has(problems, "pg-test", "10.10.10.12", "pg_role", "already has a primary")
    assert has(problems, "pg-test", "10.10.10.16", "pg_seq", "pg_seq 3 is used by more than one host")
    assert has(problems, "pg-test", None, "pg_users[0].password", "well-known default password")
    assert has(problems, "pg-test", None, "pg_hba_rules[0].addr", "'nowhere'")
    assert has(problems, "pg.bad", None, "pg_cluster", "no dots")
    assert has(problems, "etcd", None, "members", "odd number of members")
    assert all(set(p) == {"file", "cluster", "host", "field", "message"} for p in problems)


def test_a_refused_import_leaves_an_existing_deployment_unchanged(imported):
    deployment = imported(PIGSTY_CONF / "ha" / "trio.yml")
    before, changes = canonical(deployment), ObjectChange.objects.count()
    refuse(BAD)
    assert canonical(deployment) == before and ObjectChange.objects.count() == changes


@pytest.mark.parametrize("source, field, text", [
    ("all: [", None, "not valid YAML"),
    ("just text", "all", "top-level `all:`"),
    ("all: {vars: [1, 2]}", "all.vars", "must be a mapping"),
    (("all: {children: {pg-x: {hosts: {10.0.0.1: {pg_seq: 1, pg_role: primary}}, vars: {pg_cluster: pg-x, "
      "pg_users: {name: u}}}}}"), "pg_users", "must be a list"),
    ("all: {children: {pg-x: {hosts: {10.0.0.1: {pg_role: primary}}, vars: {pg_cluster: pg-x}}}}", "pg_seq",
     "cannot be null"),
    ("all: {children: {pg-x: {hosts: {not-an-ip: {pg_seq: 1, pg_role: primary}}, vars: {pg_cluster: pg-x}}}}",
     "host", "IPv4 or IPv6"),
    ("all: {vars: {grafana_view_password: pigsty}}", "grafana_view_password", "well-known default password"),
    ("all: {children: {pg-x: {hosts: {10.0.0.1: {pg_seq: 1, pg_role: primary}}, vars: {pg_cluster: pg-x, "
     "pg_backup_policy: {schedule: daily}}}}}", "pg_backup_policy.schedule", "five cron fields"),
    ("all: {children: {pg-x: {hosts: {10.0.0.1: {pg_seq: 1, pg_role: primary}}, vars: {pg_cluster: pg-x, "
     "pg_backup_policy: {when: daily}}}}}", "pg_backup_policy", "unknown key(s) when"),
])
def test_single_problems(source, field, text):
    before = counts()
    problems = refuse(source)
    assert any(p["field"] == field and text in p["message"] for p in problems), problems
    assert counts() == before


def test_a_node_in_two_pgsql_clusters_is_refused():
    source = """
all:
  children:
    pg-a: { hosts: { 10.0.0.1: { pg_seq: 1, pg_role: primary } }, vars: { pg_cluster: pg-a } }
    pg-b: { hosts: { 10.0.0.1: { pg_seq: 1, pg_role: primary } }, vars: { pg_cluster: pg-b } }
"""
    problems = refuse(source)
    assert has(problems, "pg-b", "10.0.0.1", None, "already runs a PGSQL instance")


def test_a_bad_deployment_name_and_a_bad_service_are_located():
    source = """
all:
  children:
    pg-x:
      hosts: { 10.0.0.1: { pg_seq: 1, pg_role: primary } }
      vars:
        pg_cluster: pg-x
        pg_services: [ { name: standby, port: 5433, check: /sync } ]
"""
    problems = refuse(source, name="Bad Name")
    assert has(problems, None, None, "deployment", "must match")
    assert has(problems, "pg-x", None, "pg_services[0].port", "taken by a default service")
