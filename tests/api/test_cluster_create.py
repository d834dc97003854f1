"""One POST to /api/v1/clusters/ creates a whole PGSQL cluster, or nothing at all."""
import pytest

from clusters import models
from tests import factories

URL = "/api/v1/clusters/"
MEMBER_MODELS = (models.PGCluster, models.PGInstance, models.PGDatabase, models.PGUser, models.HBARule,
                 models.PGService, models.ObjectChange)


def cluster_payload():
    """A cluster of three instances on fresh nodes, with a database, a user, two HBA rules and a service."""
    dep = factories.deployment()
    nodes = [factories.node(dep) for _ in range(3)]
    return {
        "deployment": dep.pk,
        "name": factories.unique("pg-test"),
        "pg_rto": "safe",
        "instances": [
            {"ip": nodes[0].ip, "pg_seq": 1, "pg_role": "primary"},
            {"ip": nodes[1].ip, "pg_seq": 2, "pg_role": "replica"},
            {"ip": nodes[2].ip, "pg_seq": 3, "pg_role": "offline", "pg_offline_query": True},
        ],
        "databases": [{"name": "meta", "owner": "dbuser_meta", "extensions": [{"name": "postgis"}]}],
        "users": [{"name": "dbuser_meta", "password": "a-long-business-password", "roles": ["dbrole_admin"]}],
        "hba_rules": [
            {"user": "dbuser_meta", "db": "meta", "addr": "intra", "auth": "pwd", "title": "meta from intranet"},
            {"user": "+dbrole_readonly", "db": "all", "addr": "172.16.0.0/12", "auth": "ssl", "order": 100},
        ],
        "custom_services": [{"name": "standby", "port": 5435, "dest": "postgres", "check": "/sync"}],
    }


def row_counts():
    return {model.__name__: model.objects.count() for model in MEMBER_MODELS}


@pytest.mark.django_db
def test_one_post_creates_the_cluster_and_all_its_members(api):
    payload = cluster_payload()
    response = api.post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    cluster = models.PGCluster.objects.get(pk=body["id"])
    assert cluster.pg_rto == "safe"
    assert [(i.name, i.pg_role, i.node.ip) for i in cluster.instances.order_by("pg_seq")] == [
        (f"{payload['name']}-{i['pg_seq']}", i["pg_role"], i["ip"]) for i in payload["instances"]]
    assert cluster.instances.get(pg_seq=3).pg_offline_query is True
    assert list(cluster.databases.values_list("name", "owner")) == [("meta", "dbuser_meta")]
    user = cluster.users.get()
    assert (user.name, user.password, user.roles) == ("dbuser_meta", "a-long-business-password", ["dbrole_admin"])
    rules = list(cluster.hba_rules.order_by("id"))
    assert [(r.user, r.addr, r.auth, r.deployment_id) for r in rules] == [
        (r["user"], r["addr"], r["auth"], payload["deployment"]) for r in payload["hba_rules"]]
    assert cluster.custom_services.get().port == 5435
    services = {svc["cluster_service"]: svc["port"] for svc in body["services"]}
    assert services == {f"{payload['name']}-{name}": port for name, port in
                        [("primary", 5433), ("replica", 5434), ("default", 5436), ("offline", 5438),
                         ("standby", 5435)]}
    assert [u["has_password"] for u in body["users"]] == [True]
    assert "a-long-business-password" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("break_payload, field", [
    (lambda p: p["instances"][1].update(pg_role="primary"), "instances[1].pg_role"),
    (lambda p: p["instances"][0].update(pg_role="replica"), "instances"),
    (lambda p: p["instances"][2].update(ip="192.0.2.1"), "instances[2].ip"),
    (lambda p: p["hba_rules"][1].update(addr="172.16.0.0/99"), "hba_rules[1].addr"),
    (lambda p: p["users"][0].update(password="DBUser.DBA"), "users[0].password"),
    (lambda p: p["custom_services"][0].update(port=5433), "custom_services[0].port"),
], ids=["second-primary", "no-primary", "unknown-node", "bad-hba-addr", "default-password", "taken-port"])
def test_a_bad_member_refuses_the_whole_cluster(api, break_payload, field):
    payload = cluster_payload()
    break_payload(payload)
    before = row_counts()
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert row_counts() == before


@pytest.mark.django_db
def test_members_are_not_changed_through_the_cluster(api):
    cluster = factories.pg_cluster()
    response = api.patch(f"{URL}{cluster.pk}/", {"users": [{"name": "dbuser_x"}]}, format="json")
    assert response.status_code == 400
    assert "/api/v1/users/" in response.json()["users"][0]
    assert not cluster.users.exists()
