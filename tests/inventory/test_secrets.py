"""Secret vars go to the encrypted secret_vars of their level; Pigsty's well-known default system passwords are
replaced by generated ones (and reported); business passwords are encrypted at rest."""
import pytest
from django.db import connection

from clusters import validators
from clusters.inventory import export_inventory, import_inventory
from clusters.inventory.secrets import is_secret_key, split_vars

from .canonical import canonical
from .conftest import PIGSTY_CONF

pytestmark = pytest.mark.django_db

LEVELS = """
all:
  children:
    pg-a:
      hosts:
        10.0.0.1: { pg_seq: 1, pg_role: primary, ansible_password: Host.Secret, nodename: a1 }
      vars:
        pg_cluster: pg-a
        patroni_password: Patroni.API
        pgbackrest_repo: { s3: { type: s3, s3_key_secret: Repo.Secret } }
        pg_vip_enabled: true
    infra:
      hosts: { 10.0.0.1: { infra_seq: 1 } }
      vars: { grafana_view_password: Infra.View, repo_enabled: false }
  vars:
    version: v4.5.0
    pg_admin_password: Own.Admin.Password
"""


@pytest.mark.parametrize("key, secret", [
    ("pg_admin_password", True), ("minio_secret_key", True), ("cipher_pass", True), ("s3_key_secret", True),
    ("pg_version", False), ("minio_users", False), ("secret_sauce_enabled", True),
])
def test_secret_keys(key, secret):
    assert is_secret_key(key) is secret


def test_nested_secrets_move_the_whole_var():
    plain, secret = split_vars({"minio_users": [{"access_key": "a", "secret_key": "b"}], "pg_version": 18,
                                "repo": {"x": {"cipher_pass": "c"}}})
    assert plain == {"pg_version": 18}
    assert set(secret) == {"minio_users", "repo"}


def test_default_system_passwords_are_replaced_and_reported(imported):
    result = import_inventory((PIGSTY_CONF / "meta.yml").read_text(), "prod")
    deployment = result.deployment
    for key in validators.SYSTEM_PASSWORD_VARS:
        value = deployment.secret_vars[key]
        assert value not in validators.WELL_KNOWN_PASSWORDS and len(value) == validators.GENERATED_PASSWORD_LENGTH
        assert any(w.startswith(f"all.vars.{key}:") and "replaced" in w for w in result.warnings)
        assert key not in deployment.vars
    assert deployment.secret_vars["grafana_view_password"] == "DBUser.Viewer"


def test_secrets_stay_at_their_level_and_are_exported_there():
    result = import_inventory(LEVELS, "prod")
    deployment = result.deployment
    cluster = deployment.pg_clusters.get()
    instance = cluster.instances.get()
    assert deployment.secret_vars["pg_admin_password"] == "Own.Admin.Password"
    assert "all.vars.pg_admin_password" not in " ".join(result.warnings)
    assert set(cluster.secret_vars) == {"patroni_password", "pgbackrest_repo"}
    assert cluster.secret_vars["patroni_password"] not in validators.WELL_KNOWN_PASSWORDS
    assert "pg-a.vars.patroni_password: Pigsty's well-known default password was replaced" in " ".join(result.warnings)
    assert cluster.vars == {"pg_vip_enabled": True}
    assert (instance.secret_vars, instance.vars) == ({"ansible_password": "Host.Secret"}, {"nodename": "a1"})
    assert (deployment.infra_secret_vars, deployment.infra_vars) == (
        {"grafana_view_password": "Infra.View"}, {"repo_enabled": False})

    exported = export_inventory(deployment)["all"]
    assert exported["children"]["pg-a"]["hosts"]["10.0.0.1"]["ansible_password"] == "Host.Secret"
    assert exported["children"]["pg-a"]["vars"]["pgbackrest_repo"]["s3"]["s3_key_secret"] == "Repo.Secret"
    assert exported["children"]["infra"]["vars"]["grafana_view_password"] == "Infra.View"
    assert canonical(import_inventory({"all": exported}, "again").deployment) == canonical(deployment)


def test_secrets_are_encrypted_at_rest(imported):
    imported(PIGSTY_CONF / "meta.yml")
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM clusters_pguser")
        stored = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT secret_vars, vars FROM clusters_deployment")
        secret_vars, plain_vars = cursor.fetchone()
    assert stored and all(value.startswith("fernet:") and "DBUser" not in value for value in stored)
    assert secret_vars.startswith("fernet:") and "password" not in str(plain_vars)
