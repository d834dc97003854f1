"""One test per validation rule of issue 2. Rules live in the models (full_clean on save), so these tests write
through the ORM like the admin, the importer and the jobs do; the API tests show the same rules as 400/409.

Each test checks that the error names the field (the error key, or the message for a uniqueness conflict)
and the rule that was broken.
"""
import pytest
from django.core.exceptions import ValidationError

from clusters import models, validators
from clusters.models import ConflictError
from tests import factories

pytestmark = pytest.mark.django_db


def refused(make, field, *words, error=ValidationError):
    """`make()` must raise `error` whose messages for `field` mention every one of `words`."""
    with pytest.raises(error) as info:
        make()
    text = " ".join(info.value.message_dict[field])
    for word in words:
        assert word in text, text


def test_pg_cluster_name_refuses_dots():
    dep = factories.deployment()
    refused(lambda: models.PGCluster.objects.create(deployment=dep, name="pg.test"), "name", "[a-zA-Z0-9-]+",
            "no dots")
    assert models.PGCluster.objects.create(deployment=dep, name="pg-Test-2").pk


@pytest.mark.parametrize("name", ["Redis-test", "1redis", "redis_test", "redis.test"])
def test_redis_cluster_name_regex(name):
    refused(lambda: factories.redis_cluster(name=name), "name", "[a-z][a-z0-9-]*")


def test_pg_seq_is_unique_in_the_cluster():
    cluster = factories.pg_cluster()
    refused(lambda: factories.pg_instance(cluster, pg_seq=1), "__all__", "pg_seq", "unique", error=ConflictError)


@pytest.mark.parametrize("seq", [0, -1])
def test_pg_seq_is_positive(seq):
    cluster = factories.pg_cluster()
    refused(lambda: factories.pg_instance(cluster, pg_seq=seq), "pg_seq", "positive")


def test_exactly_one_primary_in_the_topology():
    cluster = factories.pg_cluster()
    replica = models.PGInstance(cluster=cluster, pg_seq=2, pg_role="replica")
    primary = models.PGInstance(cluster=cluster, pg_seq=3, pg_role="primary")
    assert cluster.topology_errors() == []
    for instances, count in (([replica], 0), ([primary, replica, primary], 2)):
        (error,) = cluster.topology_errors(instances)
        assert error.startswith("pg_role:") and "exactly one primary" in error and f"has {count}" in error


def test_exactly_one_primary_on_nested_api_create(api):
    dep = factories.deployment()
    instances = [{"ip": factories.node(dep).ip, "pg_seq": seq, "pg_role": "replica"} for seq in (1, 2)]
    response = api.post("/api/v1/clusters/", {"deployment": dep.pk, "name": "pg-test", "instances": instances},
                        format="json")
    assert response.status_code == 400
    assert "exactly one primary" in response.json()["instances"][0]
    assert not models.PGCluster.objects.exists()


def test_at_most_one_primary_on_instance_save():
    cluster = factories.pg_cluster()
    refused(lambda: factories.pg_instance(cluster, pg_seq=2, pg_role="primary"), "pg_role", "already has a primary")
    replica = factories.pg_instance(cluster, pg_seq=2)
    replica.pg_role = "primary"
    refused(replica.save, "pg_role", "already has a primary")


def test_one_pg_instance_per_node():
    cluster = factories.pg_cluster()
    other = models.PGCluster.objects.create(deployment=cluster.deployment, name="pg-other")
    taken = cluster.instances.get().node
    refused(lambda: factories.pg_instance(other, node=taken, pg_seq=1, pg_role="primary"), "__all__", "node", "1:1",
            error=ConflictError)


def test_redis_node_belongs_to_one_redis_cluster():
    first = factories.redis_cluster()
    taken = factories.redis_node(first).node
    second = factories.redis_cluster(dep=first.deployment)
    refused(lambda: factories.redis_node(second, node=taken), "__all__", "node", "already belongs to a Redis cluster",
            error=ConflictError)


def test_redis_ports_unique_per_node():
    redis_node = factories.redis_node(factories.redis_cluster())
    models.RedisInstance.objects.create(redis_node=redis_node, port=6379)
    refused(lambda: models.RedisInstance.objects.create(redis_node=redis_node, port=6379), "__all__",
            "ports", "unique per node", error=ConflictError)


def test_etcd_member_count_is_odd():
    cluster = factories.etcd_cluster(size=3)
    assert cluster.topology_errors() == []
    (error,) = cluster.topology_errors(list(cluster.members.all())[:2])
    assert error.startswith("members:") and "odd number" in error and "has 2" in error


def test_etcd_api_create_with_two_members_is_refused(api):
    dep = factories.deployment()
    members = [{"ip": factories.node(dep).ip, "etcd_seq": seq} for seq in (1, 2)]
    response = api.post("/api/v1/etcd-clusters/", {"deployment": dep.pk, "members": members}, format="json")
    assert response.status_code == 400
    assert "odd number" in response.json()["members"][0]
    assert not models.EtcdCluster.objects.exists() and not models.EtcdMember.objects.exists()


def test_custom_rto_plan_constraint():
    dep = factories.deployment()
    plan = {"fast": {"ttl": 20, "loop_wait": 5, "retry_timeout": 5}, "tight": {"ttl": 20, "loop_wait": 5,
                                                                              "retry_timeout": 10}}
    refused(lambda: factories.pg_cluster(dep, pg_rto_plan=plan), "pg_rto_plan", "tight",
            "loop_wait + 2 × retry_timeout must be ≤ ttl", "25 > 20")
    del plan["tight"]
    assert factories.pg_cluster(dep, pg_rto_plan=plan).pg_rto_plan == plan


def hba_rule(**fields):
    return models.HBARule.objects.create(deployment=factories.deployment(),
                                         **{"user": "all", "db": "all", "addr": "intra", "auth": "pwd", **fields})


@pytest.mark.parametrize("addr", ["10.0.0.0/33", "somewhere", "10.1.1.1", "300.0.0.0/8"])
def test_hba_addr_is_an_alias_or_a_cidr(addr):
    refused(lambda: hba_rule(addr=addr), "addr", "CIDR")


@pytest.mark.parametrize("addr", list(validators.HBA_ADDR_ALIASES) + ["10.0.0.0/8", "10.1.1.1/32", "fd00::/8"])
def test_hba_addr_accepts_aliases_and_cidrs(addr):
    assert hba_rule(addr=addr).addr == addr


@pytest.mark.parametrize("auth", ["password", "scram-sha-256", "md6"])
def test_hba_auth_is_an_alias(auth):
    refused(lambda: hba_rule(auth=auth), "auth", "auth aliases")


@pytest.mark.parametrize("name", ["dbuser-meta", "1user", "user name", "u" * 64])
def test_user_name_is_a_postgres_identifier(name):
    cluster = factories.pg_cluster()
    refused(lambda: models.PGUser.objects.create(cluster=cluster, name=name), "name", "PostgreSQL identifier")


def test_user_roles_are_postgres_identifiers():
    cluster = factories.pg_cluster()
    refused(lambda: models.PGUser.objects.create(cluster=cluster, name="dbuser_app", roles=["dbrole_readonly",
                                                                                             "db role"]),
            "roles", "not valid PostgreSQL identifiers", "db role")


def test_well_known_user_password_refused():
    cluster = factories.pg_cluster()
    refused(lambda: models.PGUser.objects.create(cluster=cluster, name="dbuser_dba", password="DBUser.DBA"),
            "password", "well-known default password")


def test_well_known_deployment_secret_var_refused():
    refused(lambda: factories.deployment(secret_vars={"pg_admin_password": "DBUser.DBA"}), "secret_vars",
            "pg_admin_password", "well-known default password")


def test_well_known_minio_secret_key_refused():
    cluster = factories.minio_cluster()
    refused(lambda: models.MinioUser.objects.create(cluster=cluster, access_key="minioadmin",
                                                    secret_key="S3User.MinIO"),
            "secret_key", "well-known default password")


def test_missing_system_passwords_are_generated():
    dep = factories.deployment(secret_vars={"grafana_admin_password": "my-own-grafana-pass"})
    other = factories.deployment()
    stored = models.Deployment.objects.get(pk=dep.pk).secret_vars
    assert set(validators.SYSTEM_PASSWORD_VARS) <= set(stored)
    assert stored["grafana_admin_password"] == "my-own-grafana-pass"
    generated = [stored[key] for key in validators.SYSTEM_PASSWORD_VARS if key != "grafana_admin_password"]
    assert all(len(value) >= 24 and value.isalnum() for value in generated)
    assert len(set(generated)) == len(generated)
    assert not set(generated) & set(other.secret_vars.values())


def test_instance_node_from_another_deployment_refused():
    cluster = factories.pg_cluster()
    stranger = factories.node()
    refused(lambda: factories.pg_instance(cluster, node=stranger, pg_seq=2), "node", "cluster's deployment")


@pytest.mark.parametrize("cidrs", [["10.0.0.0/8", "intranet"], ["10.0.0.0/33"], "10.0.0.0/8"])
def test_intra_cidrs_must_be_cidrs(cidrs):
    refused(lambda: factories.deployment(intra_cidrs=cidrs), "intra_cidrs", "CIDR")


@pytest.mark.parametrize("make", [factories.node, factories.pg_cluster, factories.etcd_cluster,
                                  factories.minio_cluster, factories.redis_cluster],
                         ids=["node", "pg", "etcd", "minio", "redis"])
def test_deployment_is_fixed_once_created(make):
    obj = make()
    obj.deployment = factories.deployment()
    refused(obj.save, "deployment", "cannot change once created")


def test_cluster_cannot_move_to_another_deployment_through_the_api(api):
    cluster = factories.pg_cluster()
    other = factories.deployment()
    response = api.patch(f"/api/v1/clusters/{cluster.pk}/", {"deployment": other.pk}, format="json")
    assert response.status_code == 400 and "deployment" in response.json()
    cluster.refresh_from_db()
    assert cluster.instances.get().node.deployment == cluster.deployment != other


@pytest.mark.django_db
def test_secret_in_plain_vars_refused(api):
    response = api.post("/api/v1/deployments/", {"name": "leaky", "vars": {
        "pg_admin_password": "Xy7-not-default-123", "pgbackrest_repo": {"minio": {"s3_key_secret": "k"}},
        "pg_version": 15}}, format="json")
    assert response.status_code == 400
    message = response.json()["vars"][0]
    assert "pg_admin_password, pgbackrest_repo" in message and "secret_vars" in message
    assert "Xy7-not-default-123" not in response.content.decode()
