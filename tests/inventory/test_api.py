"""The inventory bridge over the API: import a Pigsty inventory, export it back with every secret masked (secrets
are write-only in the API), refuse a bad one whole, and refuse a masked export fed back."""

import pytest
import yaml

from clusters.inventory.secrets import mask_secret_vars
from clusters.models import Deployment, MinioUser, PGCluster, PGUser
from rdsconsole.crypto import MASK

from tests.inventory.conftest import PIGSTY_CONF as CONF


@pytest.mark.django_db
def test_import_then_export_through_api(api):
    text = (CONF / "ha" / "trio.yml").read_text()
    response = api.post("/api/v1/deployments/import-inventory/", {"deployment": "trio", "inventory": text},
                        format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["deployment"]["name"] == "trio"
    assert any("pg_admin_password" in w for w in body["warnings"])
    assert PGCluster.objects.get(deployment__name="trio", name="pg-meta").instances.count() == 3
    exported = api.get(f"/api/v1/deployments/{body['deployment']['id']}/inventory/")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/yaml")
    data = yaml.safe_load(exported.content)
    assert set(data["all"]["children"]["pg-meta"]["hosts"]) == {"10.10.10.10", "10.10.10.11", "10.10.10.12"}
    assert data["all"]["vars"]["pg_admin_password"] == MASK
    assert Deployment.objects.get(name="trio").secret_vars["pg_admin_password"] not in ("DBUser.DBA", MASK)


def leaves(value):
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


def stored_secrets(deployment) -> set:
    """Every secret the import stored: the secret leaves of the secret vars of every level, user passwords."""
    levels = [deployment.secret_vars, deployment.infra_secret_vars]
    for cluster in deployment.pg_clusters.all():
        levels += [cluster.secret_vars, *(i.secret_vars for i in cluster.instances.all())]
    for clusters in (deployment.etcd_clusters, deployment.minio_clusters, deployment.redis_clusters):
        levels += [cluster.secret_vars for cluster in clusters.all()]
    values = {value for level in levels
              for value, shown in zip(leaves(level), leaves(mask_secret_vars(level))) if shown == MASK}
    values |= set(PGUser.objects.filter(cluster__deployment=deployment).values_list("password", flat=True))
    values |= set(MinioUser.objects.filter(cluster__deployment=deployment).values_list("secret_key", flat=True))
    return {v for v in values if isinstance(v, str) and v}


def test_the_api_export_masks_every_secret_and_a_masked_file_is_refused_on_import(api):
    text = (CONF / "ha" / "trio.yml").read_text()
    deployment_id = api.post("/api/v1/deployments/import-inventory/", {"deployment": "trio", "inventory": text},
                             format="json").json()["deployment"]["id"]
    deployment = Deployment.objects.get(pk=deployment_id)
    secrets = stored_secrets(deployment)
    assert {"S3User.Backup", "pgBackRest", "DBUser.Meta"} <= secrets and len(secrets) >= 10
    exported = api.get(f"/api/v1/deployments/{deployment_id}/inventory/")
    data = yaml.safe_load(exported.content)
    assert not secrets & set(leaves(data)), "the API export shows a secret"
    meta = data["all"]["children"]["pg-meta"]["vars"]
    assert {u["name"]: u["password"] for u in meta["pg_users"]} == {"dbuser_meta": MASK, "dbuser_view": MASK}
    assert data["all"]["vars"]["pgbackrest_repo"]["minio"]["s3_key_secret"] == MASK
    assert data["all"]["vars"]["pgbackrest_repo"]["minio"]["s3_bucket"] == "pgsql", "plain values stay"

    again = api.post("/api/v1/deployments/import-inventory/", {"deployment": "trio", "inventory": exported.content
                                                               .decode()}, format="json")
    assert again.status_code == 400
    fields = {p["field"] for p in again.json()["problems"] if MASK in p["message"]}
    assert {"all.vars.pg_admin_password", "all.children.pg-meta.vars.pg_users[0].password"} <= fields
    assert stored_secrets(Deployment.objects.get(pk=deployment_id)) == secrets, "nothing changed"


@pytest.mark.django_db
def test_bad_inventory_refused_whole(api):
    bad = {"all": {"children": {"pg-x": {"hosts": {"10.0.0.1": {"pg_seq": 1, "pg_role": "primary"},
                                                   "10.0.0.2": {"pg_seq": 2, "pg_role": "primary"}},
                                         "vars": {"pg_cluster": "pg-x"}}}}}
    response = api.post("/api/v1/deployments/import-inventory/",
                        {"deployment": "bad", "inventory": yaml.safe_dump(bad)}, format="json")
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert any(p["cluster"] == "pg-x" and "primary" in p["message"] for p in problems)
    assert not Deployment.objects.filter(name="bad").exists()


@pytest.mark.django_db
def test_import_requires_fields(api, anon):
    assert api.post("/api/v1/deployments/import-inventory/", {}, format="json").json().keys() >= {"deployment",
                                                                                                  "inventory"}
    assert anon.post("/api/v1/deployments/import-inventory/", {}, format="json").status_code == 401
