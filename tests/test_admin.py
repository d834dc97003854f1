"""Secrets in the admin: no change page shows a stored secret (each is rendered and searched for the
plaintext); password and key inputs are write-only; model rules reach the admin form as errors."""
import pytest
from django.test import Client
from django.urls import reverse

from clusters import models
from tests import factories

pytestmark = pytest.mark.django_db
SECRET = "plaintext-secret-4711"


def objects_holding_secrets():
    """One saved object of every model with an encrypted field, each holding SECRET."""
    dep = factories.deployment(secret_vars={"custom_password": SECRET}, infra_secret_vars={"x_password": SECRET})
    cluster = factories.pg_cluster(dep, secret_vars={"pg_custom_password": SECRET})
    instance = cluster.instances.get()
    instance.secret_vars = {"pg_host_password": SECRET}
    instance.save()
    etcd = factories.etcd_cluster(dep, secret_vars={"etcd_password": SECRET})
    member = etcd.members.get()
    member.secret_vars = {"etcd_host_password": SECRET}
    member.save()
    minio = factories.minio_cluster(dep, secret_vars={"minio_password": SECRET})
    redis = factories.redis_cluster(dep, redis_mode="sentinel", secret_vars={"redis_password": SECRET},
                                    redis_sentinel_monitor=[{"name": "src", "password": SECRET}])
    return [
        dep, cluster, instance, etcd, member, minio, redis,
        factories.credential(secret=SECRET, passphrase=SECRET),
        models.PGUser.objects.create(cluster=cluster, name="dbuser_app", password=SECRET),
        models.MinioUser.objects.create(cluster=minio, access_key="pgbackrest", secret_key=SECRET),
        models.MinioMember.objects.create(cluster=minio, node=factories.node(dep), minio_seq=1,
                                          secret_vars={"m_password": SECRET}),
        factories.redis_node(redis, secret_vars={"r_password": SECRET}),
        models.InfraNode.objects.create(deployment=dep, node=factories.node(dep), infra_seq=1,
                                        secret_vars={"i_password": SECRET}),
    ]


def test_admin_change_pages_never_show_secrets(admin_user):
    client = Client()
    client.force_login(admin_user)
    for obj in objects_holding_secrets():
        url = reverse(f"admin:clusters_{obj._meta.model_name}_change", args=[obj.pk])
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url


def test_admin_cluster_page_with_instance_inline_hides_secrets(admin_user):
    cluster = factories.pg_cluster()
    instance = cluster.instances.get()
    instance.secret_vars = {"pg_host_password": SECRET}
    instance.save()
    client = Client()
    client.force_login(admin_user)
    response = client.get(reverse("admin:clusters_pgcluster_change", args=[cluster.pk]))
    assert response.status_code == 200 and instance.name in response.content.decode()
    assert SECRET not in response.content.decode()


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_admin_secret_inputs_are_write_only(admin_user):
    """Typing a secret sets it; leaving the input empty keeps the stored one; a required secret with nothing
    stored is a form error, not a server error."""
    client = admin_client(admin_user)
    minio = factories.minio_cluster()
    add = reverse("admin:clusters_miniouser_add")
    data = {"cluster": minio.pk, "access_key": "pgbackrest", "policy": "", "extra": "{}"}
    response = client.post(add, {**data, "secret_key": ""})
    assert response.status_code == 200 and "is required" in response.content.decode()
    assert client.post(add, {**data, "secret_key": SECRET}).status_code == 302
    user = models.MinioUser.objects.get()
    assert user.secret_key == SECRET

    change = reverse("admin:clusters_miniouser_change", args=[user.pk])
    assert client.post(change, {**data, "policy": "readwrite", "secret_key": ""}).status_code == 302
    user.refresh_from_db()
    assert (user.policy, user.secret_key) == ("readwrite", SECRET)


def test_admin_refuses_well_known_password_in_the_form(admin_user):
    cluster = factories.pg_cluster()
    response = admin_client(admin_user).post(reverse("admin:clusters_pguser_add"), {
        "cluster": cluster.pk, "name": "dbuser_dba", "password": "DBUser.DBA", "roles": "[]", "parameters": "{}",
        "extra": "{}",
    })
    assert response.status_code == 200
    assert "well-known default password" in response.content.decode()
    assert not models.PGUser.objects.exists()
