"""The change log: every create/update/delete through the API or the admin is an ObjectChange row with who,
which door, and before → after; secrets only ever appear masked; GET /api/v1/changes/ filters the rows."""
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from clusters import models
from clusters.access.tokens import issue
from clusters.models import ObjectChange
from rdsconsole.crypto import MASK
from tests import factories

pytestmark = pytest.mark.django_db
CHANGED = f"{MASK} (changed)"


def changes_of(obj, action=None):
    rows = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
    return rows.filter(action=action) if action else rows


def assert_nowhere_in_the_log(*plaintexts):
    """No ObjectChange row holds any of `plaintexts`, in its snapshots or anywhere else."""
    for row in ObjectChange.objects.all():
        text = json.dumps([row.before, row.after, row.object_repr])
        for plaintext in plaintexts:
            assert plaintext not in text, (row.action, row.object_repr)


def test_api_update_records_before_and_after(api, admin_user):
    cluster = factories.pg_cluster()
    response = api.patch(f"/api/v1/clusters/{cluster.pk}/", {"pg_rto": "fast"}, format="json")
    assert response.status_code == 200
    change = changes_of(cluster, "update").get()
    assert (change.user, change.user_name, change.source) == (admin_user, "admin", "api")
    assert (change.before["pg_rto"], change.after["pg_rto"]) == ("norm", "fast")
    assert change.diff == {"pg_rto": ["norm", "fast"]}


def test_token_authenticated_change_is_attributed_to_the_token_user(admin_user):
    client = APIClient(HTTP_AUTHORIZATION=f"Token {issue(user=admin_user, name='changelog')[1]}")
    dep = factories.deployment()
    assert client.patch(f"/api/v1/deployments/{dep.pk}/", {"description": "prod"}, format="json").status_code == 200
    change = changes_of(dep, "update").get()
    assert (change.user, change.source, change.diff) == (admin_user, "api", {"description": ["", "prod"]})


def test_api_create_and_delete_are_recorded(api, admin_user):
    response = api.post("/api/v1/credentials/", {"name": "ssh", "secret": "first-secret-value"}, format="json")
    cred = models.Credential.objects.get(pk=response.json()["id"])
    created = changes_of(cred, "create").get()
    assert (created.user, created.source, created.before) == (admin_user, "api", None)
    assert created.after["name"] == "ssh" and created.after["secret"] == MASK

    assert api.delete(f"/api/v1/credentials/{cred.pk}/").status_code == 204
    deleted = changes_of(cred, "delete").get()
    assert (deleted.user, deleted.after, deleted.before["name"]) == (admin_user, None, "ssh")
    assert_nowhere_in_the_log("first-secret-value")


def test_user_password_change_is_masked(api):
    user = models.PGUser.objects.create(cluster=factories.pg_cluster(), name="dbuser_app", password="old-pw-4711")
    response = api.patch(f"/api/v1/users/{user.pk}/", {"password": "new-pw-4712"}, format="json")
    assert response.status_code == 200
    change = changes_of(user, "update").get()
    assert change.diff == {"password": [MASK, CHANGED]}
    assert_nowhere_in_the_log("old-pw-4711", "new-pw-4712")


def test_credential_secret_change_is_masked(api):
    cred = factories.credential(secret="old-secret-4711", passphrase="old-phrase-4711")
    response = api.patch(f"/api/v1/credentials/{cred.pk}/", {"secret": "new-secret-4712", "username": "admin"},
                         format="json")
    assert response.status_code == 200
    change = changes_of(cred, "update").get()
    assert change.diff == {"secret": [MASK, CHANGED], "username": ["root", "admin"]}
    assert change.after["passphrase"] == MASK
    assert_nowhere_in_the_log("old-secret-4711", "new-secret-4712", "old-phrase-4711")


def test_secret_vars_change_is_masked(api):
    dep = factories.deployment(secret_vars={"pg_admin_password": "Adm1n-pw-4711"})
    response = api.patch(f"/api/v1/deployments/{dep.pk}/", {"secret_vars": {"pg_admin_password": "Adm1n-pw-4712"}},
                         format="json")
    assert response.status_code == 200
    change = changes_of(dep, "update").get()
    assert change.before["secret_vars"]["pg_admin_password"] == MASK
    assert change.after["secret_vars"]["pg_admin_password"] == CHANGED
    assert_nowhere_in_the_log("Adm1n-pw-4711", "Adm1n-pw-4712", *dep.secret_vars.values())


def test_admin_change_is_recorded_with_source_admin(admin_user):
    dep = factories.deployment(description="before")
    client = Client()
    client.force_login(admin_user)
    response = client.post(f"/admin/clusters/deployment/{dep.pk}/change/", {
        "name": dep.name, "description": "after", "intra_cidrs": json.dumps(dep.intra_cidrs),
        "vars": "{}", "infra_vars": "{}", "extra_groups": "{}",
    })
    assert response.status_code == 302, response.content
    change = changes_of(dep, "update").get()
    assert (change.user, change.source, change.diff) == (admin_user, "admin", {"description": ["before", "after"]})


def test_admin_credential_add_is_recorded_masked(admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.post("/admin/clusters/credential/add/", {
        "name": "admin-made", "kind": "password", "username": "root", "secret": "admin-typed-4711", "passphrase": "",
    })
    assert response.status_code == 302, response.content
    change = changes_of(models.Credential.objects.get(name="admin-made"), "create").get()
    assert (change.user, change.source, change.after["secret"]) == (admin_user, "admin", MASK)
    assert_nowhere_in_the_log("admin-typed-4711")


def test_changes_endpoint_filters(api, django_user_model):
    ops = django_user_model.objects.create_user("ops", password="ops-Pass-word-1")
    ops_api = APIClient()
    ops_api.force_authenticate(ops)
    first = api.post("/api/v1/deployments/", {"name": "first"}, format="json").json()
    middle = timezone.now()
    second = api.post("/api/v1/deployments/", {"name": "second"}, format="json").json()
    grant = api.post("/api/v1/memberships/", {"user": "ops", "deployment": second["id"], "role": "dba"},
                     format="json").json()
    node = ops_api.post("/api/v1/nodes/", {"deployment": second["id"], "ip": "10.10.10.10"}, format="json").json()
    cluster = ops_api.post("/api/v1/clusters/", {"deployment": second["id"], "name": "pg-test", "instances": [
        {"ip": "10.10.10.10", "pg_seq": 1, "pg_role": "primary"}]}, format="json").json()

    def found(**params):
        body = api.get("/api/v1/changes/", params).json()
        return {(row["object_type"], row["object_id"], row["action"]) for row in body["results"]}

    dep_type, instance_id = "clusters.deployment", cluster["instances"][0]["id"]
    assert found(user="admin") == {(dep_type, first["id"], "create"), (dep_type, second["id"], "create"),
                                   ("clusters.membership", grant["id"], "create")}
    assert found(user="ops") == {("clusters.node", node["id"], "create"),
                                 ("clusters.pgcluster", cluster["id"], "create"),
                                 ("clusters.pginstance", instance_id, "create")}
    assert found(object_type="clusters.pgcluster") == {("clusters.pgcluster", cluster["id"], "create")}
    assert found(object_type="clusters.deployment", object_id=second["id"]) == {(dep_type, second["id"], "create")}
    assert found(until=middle.isoformat()) == {(dep_type, first["id"], "create")}
    assert (dep_type, first["id"], "create") not in found(since=middle.isoformat())
    assert len(found(since=middle.isoformat())) == 5
