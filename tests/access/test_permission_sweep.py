"""The permission sweep: every API endpoint and every console URL, walked from the URL map (a new one is swept
without editing this file, or fails it until the world below holds an object for it), as anonymous, as a viewer
of deployment A, as a dba of deployment B only, and with expired, revoked, read-only and deployment-restricted
tokens."""
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from backups.catalog import parse_info
from backups.models import BackupPolicy, RestoreRequest
from backups.store import store
from clusters import console_actions, models
from clusters.access.scope import DEPLOYMENT_PATHS
from clusters.access.tokens import issue
from rdsconsole.api_urls import router
from tasks.models import Job
from tests import factories
from tests.backups.info_sample import info

pytestmark = pytest.mark.django_db

UNSAFE = ("post", "put", "patch", "delete")
# endpoints about the user themself, not a deployment's objects: any user manages their own tokens
OWN = {"tokens"}
# records of no deployment (sign-ins): superusers only; everyone else reads an empty list
SUPERUSER_ONLY = {"auth-events"}


def build_world(dep):
    """One object of every deployment-scoped kind in `dep`."""
    cluster = factories.pg_cluster(dep, status="running")
    models.PGDatabase.objects.create(cluster=cluster, name="app")
    models.PGUser.objects.create(cluster=cluster, name="dbuser_app", password="App-pass-word-1")
    models.PGService.objects.create(cluster=cluster, name="standby", port=5435)
    models.HBARule.objects.create(deployment=dep, cluster=cluster, user="dbuser_app", db="app", addr="intra",
                                  auth="pwd")
    models.InfraNode.objects.create(deployment=dep, node=factories.node(dep), infra_seq=1)
    models.Credential.objects.create(name=factories.unique("cred"), deployment=dep, kind="password",
                                     secret="Cred-pass-1")
    factories.etcd_cluster(dep)
    factories.minio_cluster(dep)
    factories.redis_cluster(dep)
    models.ClusterEvent.objects.create(cluster=cluster, kind="failover", message="failover: a → b")
    store(cluster, "10.0.0.1", parse_info(info(cluster.name), cluster.name), {})
    BackupPolicy.objects.create(cluster=cluster, type="diff")
    RestoreRequest.objects.create(cluster=cluster, mode="in-place", target_type="latest", reason="oops",
                                  expires_at=timezone.now() + timedelta(hours=1))
    Job.objects.create(kind="pgsql.apply", target_repr=cluster.name, status="queued", deployment=dep,
                       content_type_id=None)
    return cluster


@pytest.fixture
def world(django_user_model):
    a, b = factories.deployment(name="dep-a"), factories.deployment(name="dep-b")
    clusters = {"a": build_world(a), "b": build_world(b)}
    viewer = factories.member(django_user_model.objects.create_user("viewer-a", password="Viewer-pass-1"), a,
                              "viewer")
    dba_b = factories.member(django_user_model.objects.create_user("dba-b", password="Dba-pass-word-1"), b, "dba")
    factories.member(django_user_model.objects.create_user("admin-b", password="Admin-pass-1"), b, "admin")
    token_b, _ = issue(user=dba_b, name="dba-b-ci")
    return {"a": a, "b": b, "clusters": clusters, "viewer": viewer, "dba_b": dba_b, "token_b": token_b}


def object_in(model, dep):
    path = DEPLOYMENT_PATHS[model._meta.label_lower]
    found = model.objects.filter(**({"pk": dep.pk} if path == "" else {f"{path}_id": dep.pk})).first()
    assert found is not None, f"the sweep's world has no {model.__name__} in {dep.name}: add one to build_world"
    return found


def api_endpoints(dep):
    """(method, url, is_write) of every route of the API router, with objects of `dep` in detail routes."""
    found = []
    for prefix, viewset, _ in router.registry:
        if prefix in OWN:
            continue
        if prefix in SUPERUSER_ONLY:
            found.append(("get", f"/api/v1/{prefix}/", False))
            continue
        model = viewset.queryset.model
        obj = object_in(model, dep)
        base = f"/api/v1/{prefix}/"
        detail = f"{base}{obj.pk}/"
        found.append(("get", base, False))
        actions = set(viewset.http_method_names)
        if hasattr(viewset, "create"):
            found.append(("post", base, True))
        if hasattr(viewset, "retrieve"):
            found.append(("get", detail, False))
        if hasattr(viewset, "update"):
            found += [("put", detail, True), ("patch", detail, True)]
        if hasattr(viewset, "destroy"):
            found.append(("delete", detail, True))
        for extra in viewset.get_extra_actions():
            url = f"{detail if extra.detail else base}{extra.url_path}/"
            for method in extra.mapping:
                if method in actions:
                    found.append((method, url, method in UNSAFE))
    return found


def call(client, method, url):
    return getattr(client, method)(url, {}, format="json")


def api_client(user=None, token=None) -> APIClient:
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}") if token else APIClient()
    if user is not None:
        client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


def test_anonymous_gets_401_everywhere_in_the_api(world):
    for method, url, _ in api_endpoints(world["a"]) + [("get", "/api/v1/tokens/", False),
                                                         ("post", "/api/v1/tokens/", True)]:
        assert call(api_client(), method, url).status_code == 401, (method, url)


# reads that need more than the viewer role: the deployment's inventory (it carries its secrets), credentials
ADMIN_READS = ("/inventory/",)
ADMIN_ONLY = ("/api/v1/credentials/",)


def test_a_viewer_reads_but_every_mutation_is_403(world):
    client = api_client(world["viewer"])
    for method, url, write in api_endpoints(world["a"]):
        status = call(client, method, url).status_code
        if write and url.startswith(ADMIN_ONLY) and is_detail(url):
            assert status == 404, (method, url, status)  # the viewer does not see credentials at all
        elif write:
            assert status == 403, (method, url, status)
        elif url.endswith(ADMIN_READS):
            assert status == 403, (method, url, status)
        elif url.startswith(ADMIN_ONLY):
            assert status == (404 if is_detail(url) else 200), (method, url, status)
        else:
            assert status == 200, (method, url, status)


def test_sign_ins_are_for_superusers_only(world, admin_user):
    Client().post("/login/", {"username": "viewer-a", "password": "wrong"})
    assert api_client(world["viewer"]).get("/api/v1/auth-events/").json()["results"] == []
    assert api_client(world["dba_b"]).get("/api/v1/auth-events/").json()["results"] == []
    rows = api_client(admin_user).get("/api/v1/auth-events/").json()["results"]
    assert [(row["username"], row["action"]) for row in rows] == [("viewer-a", "login_failed")]


def is_detail(url: str) -> bool:
    return url.split("/")[4].isdigit()


def test_deployment_b_is_invisible_to_a_user_of_a(world):
    """Every object of B: not in the lists A's viewer reads, and 404 on every read and write of it."""
    client = api_client(world["viewer"])
    for prefix, viewset, _ in router.registry:
        if prefix in OWN | SUPERUSER_ONLY:
            continue
        b_object = object_in(viewset.queryset.model, world["b"])
        rows = client.get(f"/api/v1/{prefix}/", {"limit": 1000}).json()["results"]
        assert b_object.pk not in {row["id"] for row in rows}, prefix
    for method, url, _ in api_endpoints(world["b"]):
        if is_detail(url):
            assert call(client, method, url).status_code == 404, (method, url)


def test_a_dba_of_b_cannot_create_in_a(world):
    client = api_client(world["dba_b"])
    cluster = client.post("/api/v1/clusters/", {"deployment": world["a"].pk, "name": "pg-intruder", "instances": [
        {"ip": "10.99.0.1", "pg_seq": 1, "pg_role": "primary"}]}, format="json")
    assert cluster.status_code == 400 and "does not exist" in str(cluster.json()["deployment"])
    database = client.post("/api/v1/databases/", {"cluster": world["clusters"]["a"].pk, "name": "intruder"},
                           format="json")
    assert database.status_code == 400 and "does not exist" in str(database.json()["cluster"])
    restore = client.post("/api/v1/restores/", {"cluster": world["clusters"]["a"].pk, "mode": "in-place",
                                                "reason": "x", "confirm": "x"}, format="json")
    assert restore.status_code == 400 and "does not exist" in str(restore.json()["cluster"])
    assert not models.PGCluster.objects.filter(name="pg-intruder").exists()
    assert not models.PGDatabase.objects.filter(name="intruder").exists()


def test_the_dba_of_b_works_in_b(world):
    client = api_client(world["dba_b"])
    cluster = world["clusters"]["b"]
    applied = client.post(f"/api/v1/clusters/{cluster.pk}/apply/")
    assert applied.status_code == 202
    assert client.post(f"/api/v1/jobs/{applied.json()['id']}/cancel/").status_code == 202
    response = client.post("/api/v1/databases/", {"cluster": cluster.pk, "name": "reports"}, format="json")
    assert response.status_code == 201, response.json()
    assert client.post("/api/v1/memberships/", {"user": "viewer-a", "deployment": world["b"].pk,
                                                "role": "viewer"}, format="json").status_code == 403


def test_expired_and_revoked_tokens_are_401(world):
    _, expired = issue(user=world["dba_b"], name="old")
    models.ApiToken.objects.filter(name="old").update(expires_at=timezone.now() - timedelta(seconds=1))
    token, revoked = issue(user=world["dba_b"], name="gone")
    assert api_client(token=revoked).get("/api/v1/clusters/").status_code == 200
    api_client(world["dba_b"]).post(f"/api/v1/tokens/{token.pk}/revoke/")
    for key in (expired, revoked):
        response = api_client(token=key).get("/api/v1/clusters/")
        assert response.status_code == 401, key[:12]
    assert "expired" in api_client(token=expired).get("/api/v1/clusters/").json()["detail"]


def test_a_read_only_token_cannot_mutate(world):
    _, key = issue(user=world["dba_b"], name="ci-read", read_only=True)
    client = api_client(token=key)
    for method, url, write in api_endpoints(world["b"]):
        status = call(client, method, url).status_code
        assert status == (403 if write else status) and status != 401, (method, url, status)
    assert client.post("/api/v1/tokens/", {"name": "escalate"}, format="json").status_code == 403


def test_a_deployment_restricted_token_sees_only_that_deployment(world, django_user_model):
    both = django_user_model.objects.create_user("both", password="Both-pass-word-1")
    factories.member(both, world["a"], "dba")
    factories.member(both, world["b"], "dba")
    _, key = issue(user=both, name="only-b", deployment=world["b"])
    client = api_client(token=key)
    names = {row["name"] for row in client.get("/api/v1/clusters/").json()["results"]}
    assert names == {world["clusters"]["b"].name}
    assert client.get(f"/api/v1/clusters/{world['clusters']['a'].pk}/").status_code == 404
    assert client.post(f"/api/v1/clusters/{world['clusters']['a'].pk}/apply/").status_code == 404
    assert client.post(f"/api/v1/clusters/{world['clusters']['b'].pk}/apply/").status_code == 202


def console_urls(world, dep_key="a"):
    """(url, route name) of every console route (admin and API excluded), with objects of the deployment."""
    dep = world[dep_key]
    objects = {"cluster": world["clusters"][dep_key].pk, "node": object_in(models.Node, dep).pk,
               "job": object_in(Job, dep).pk, "restore": object_in(RestoreRequest, dep).pk,
               "member": object_in(models.Membership, dep).pk, "token": world["token_b"].pk}
    found = []
    for route, name in walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "api/")) or name in ("login", "logout"):
            continue
        url = "/" + route
        if "<int:pk>" in url:
            kinds = [kind for kind in objects if name.startswith(kind)]
            assert kinds, f"the sweep does not know which object {name} ({route}) takes: teach console_urls"
            url = url.replace("<int:pk>", str(objects[kinds[0]]))
        if "<slug:action>" in url:
            found += [(url.replace("<slug:action>", action), name) for action in console_actions.ACTIONS]
        elif "<slug:decision>" in url:
            found += [(url.replace("<slug:decision>", d), name) for d in ("approve", "reject")]
        else:
            assert "<" not in url, f"unknown converter in {route}"
            found.append((url, name))
    return found


def walk(patterns, prefix=""):
    for item in patterns:
        if isinstance(item, URLResolver):
            yield from walk(item.url_patterns, prefix + str(item.pattern))
        elif isinstance(item, URLPattern):
            yield prefix + str(item.pattern), item.name or ""


# console routes whose POST changes a deployment's objects or starts a job; every other route's POST must
# change nothing (a page that only reads, or the header's deployment choice kept in the session)
MUTATING = {"cluster-new", "cluster-action", "restore-new", "restore-decide", "restore-retry", "node-list",
            "node-check", "job-cancel", "members", "member-remove"}


def footprint():
    return (models.ObjectChange.objects.count(), Job.objects.count(), Job.objects.filter(status="queued").count())


def test_anonymous_is_sent_to_login_on_every_console_page(world):
    client = Client()
    for url, _ in console_urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302 and response["Location"].startswith("/login/"), (method, url)
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")
    # the OpenAPI schema and its docs are public on purpose: they describe the API and hold no data
    assert client.get("/api/schema/").status_code == 200 and client.get("/api/docs/").status_code == 200


def test_a_viewer_gets_403_on_every_console_mutation(world):
    client = Client()
    client.force_login(world["viewer"])
    for url, name in console_urls(world):
        before = footprint()
        response = client.post(url)
        if name in MUTATING:
            assert response.status_code == 403, (url, response.status_code)
        else:
            assert response.status_code in (200, 302, 400, 404, 405), (url, response.status_code)
        assert footprint() == before, url
        if name not in MUTATING or name in ("cluster-new", "node-list", "restore-new", "members"):
            assert client.get(url).status_code in (200, 405), url


def test_console_pages_of_b_are_404_to_a_viewer_of_a(world):
    client = Client()
    client.force_login(world["viewer"])
    for url, name in console_urls(world, "b"):
        if "<int:pk>" in dict(walk(get_resolver().url_patterns)).get(name, "") or any(
                part.isdigit() for part in url.split("/")):
            for method in ("get", "post"):
                assert getattr(client, method)(url).status_code in (404, 405), (method, url)
    for page in ("/", "/clusters/", "/nodes/", "/jobs/", "/restores/", "/audit/"):
        assert world["clusters"]["b"].name not in client.get(page).content.decode(), page
