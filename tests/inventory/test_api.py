"""The inventory bridge over the API: import a Pigsty inventory, export it back, refuse a bad one whole."""

import pytest
import yaml

from clusters.models import Deployment, PGCluster

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
    assert data["all"]["vars"]["pg_admin_password"] != "DBUser.DBA"


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
