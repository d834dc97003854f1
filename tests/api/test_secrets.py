"""Secrets through the API: write-only, masked on read, merged on update, encrypted at rest."""
import pytest
from django.db import connection

from clusters import models
from rdsconsole.crypto import MASK
from tests import factories

SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- very secret key material"


@pytest.mark.django_db
def test_credential_secret_is_write_only(api):
    response = api.post("/api/v1/credentials/", {"name": "ssh", "kind": "ssh_key", "secret": SECRET,
                                                 "passphrase": "key-passphrase"}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    responses = [response, api.get(f"/api/v1/credentials/{pk}/"), api.get("/api/v1/credentials/"),
                 api.patch(f"/api/v1/credentials/{pk}/", {"username": "admin"}, format="json")]
    for resp in responses:
        assert resp.status_code in (200, 201)
        assert SECRET not in resp.content.decode() and "key-passphrase" not in resp.content.decode()
    assert responses[1].json()["has_secret"] is True
    assert "secret" not in responses[1].json() and "passphrase" not in responses[1].json()
    assert models.Credential.objects.get(pk=pk).secret == SECRET


@pytest.mark.django_db
def test_credential_secret_is_encrypted_at_rest():
    cred = factories.credential(secret=SECRET)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM clusters_credential WHERE id = %s", [cred.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("fernet:")
    assert "secret key material" not in stored
    assert models.Credential.objects.get(pk=cred.pk).secret == SECRET


@pytest.mark.django_db
def test_user_password_is_write_only(api):
    cluster = factories.pg_cluster()
    response = api.post("/api/v1/users/", {"cluster": cluster.pk, "name": "dbuser_app",
                                           "password": "app-password-123"}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    for resp in (response, api.get(f"/api/v1/users/{pk}/"), api.get(f"/api/v1/clusters/{cluster.pk}/")):
        assert "app-password-123" not in resp.content.decode()
    assert api.get(f"/api/v1/users/{pk}/").json()["has_password"] is True
    assert api.patch(f"/api/v1/users/{pk}/", {"password": "new-password-456"}, format="json").status_code == 200
    assert models.PGUser.objects.get(pk=pk).password == "new-password-456"


@pytest.mark.django_db
def test_secret_vars_read_back_masked_and_patch_merges(api):
    secret_vars = {"pg_admin_password": "Adm1n-pass", "grafana_admin_password": "Gr4f-pass"}
    response = api.post("/api/v1/deployments/", {"name": "prod", "secret_vars": secret_vars}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    shown = api.get(f"/api/v1/deployments/{pk}/").json()["secret_vars"]
    assert shown["pg_admin_password"] == MASK and set(shown.values()) == {MASK}
    assert "Adm1n-pass" not in api.get(f"/api/v1/deployments/{pk}/").content.decode()

    generated = dict(models.Deployment.objects.get(pk=pk).secret_vars)
    response = api.patch(f"/api/v1/deployments/{pk}/",
                         {"secret_vars": {**shown, "grafana_admin_password": "N3w-grafana", "custom_token": "t0k"}},
                         format="json")
    assert response.status_code == 200
    stored = models.Deployment.objects.get(pk=pk).secret_vars
    assert stored == {**generated, "grafana_admin_password": "N3w-grafana", "custom_token": "t0k"}
    assert stored["pg_admin_password"] == "Adm1n-pass"

    api.patch(f"/api/v1/deployments/{pk}/", {"secret_vars": {"custom_token": None}}, format="json")
    assert "custom_token" not in models.Deployment.objects.get(pk=pk).secret_vars


@pytest.mark.django_db
def test_minio_secret_key_and_sentinel_monitor_are_write_only(api):
    minio_node, redis_node = factories.node(), factories.node()
    minio = api.post("/api/v1/minio-clusters/", {
        "deployment": minio_node.deployment_id, "name": "minio", "members": [{"ip": minio_node.ip, "minio_seq": 1}],
        "users": [{"access_key": "pgbackrest", "secret_key": "backup-secret-4711", "policy": "readwrite"}],
    }, format="json")
    monitor = [{"name": "redis-src", "host": "10.10.10.10", "port": 6379, "password": "sentinel-secret-4711",
                "quorum": 1}]
    redis = api.post("/api/v1/redis-clusters/", {
        "deployment": redis_node.deployment_id, "name": "redis-sentinel", "redis_mode": "sentinel",
        "redis_sentinel_monitor": monitor,
        "redis_nodes": [{"ip": redis_node.ip, "redis_node": 1, "instances": [{"port": 26379}]}],
    }, format="json")
    assert (minio.status_code, redis.status_code) == (201, 201), (minio.json(), redis.json())
    assert minio.json()["users"][0]["access_key"] == "pgbackrest"
    for resp in (minio, redis, api.get("/api/v1/minio-clusters/"), api.get("/api/v1/redis-clusters/")):
        assert "backup-secret-4711" not in resp.content.decode()
        assert "sentinel-secret-4711" not in resp.content.decode()
    assert models.MinioUser.objects.get().secret_key == "backup-secret-4711"
    assert models.RedisCluster.objects.get().redis_sentinel_monitor == monitor
