"""API tokens and members, through the API and the console: a token is shown once and stored as a hash, works
until revoked or expired, and is managed with a login session only; admins of a deployment manage its
members, others cannot."""
import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from clusters.models import ApiToken, Membership, ObjectChange
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def dep():
    return factories.deployment(name="staging")


@pytest.fixture
def dba(django_user_model, dep):
    return factories.member(django_user_model.objects.create_user("dba", password="Dba-pass-word-1"), dep, "dba")


def session(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_token_is_shown_once_and_only_its_hash_is_kept(dba, dep):
    response = session(dba).post("/api/v1/tokens/", {"name": "ci", "read_only": True, "deployment": dep.pk,
                                                     "expires_at": (timezone.now() + timedelta(days=7)).isoformat()},
                                 format="json")
    assert response.status_code == 201
    key = response.json()["token"]
    stored = ApiToken.objects.get(name="ci")
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest() and key.startswith(stored.prefix)
    assert key not in str(session(dba).get(f"/api/v1/tokens/{stored.pk}/").json())
    assert key not in str(list(ObjectChange.objects.values_list("after", flat=True)))
    with_token = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert with_token.get("/api/v1/clusters/").status_code == 200
    ApiToken.objects.filter(pk=stored.pk).update(last_used_at=None)
    with_token.get("/api/v1/clusters/")
    assert ApiToken.objects.get(pk=stored.pk).last_used_at is not None


def test_tokens_are_refused_for_bad_input_and_managed_by_session_only(dba, dep, django_user_model):
    client = session(dba)
    past = client.post("/api/v1/tokens/", {"name": "old", "expires_at": "2020-01-01T00:00:00Z"}, format="json")
    assert past.status_code == 400 and "future" in str(past.json()["expires_at"])
    elsewhere = factories.deployment()
    other = client.post("/api/v1/tokens/", {"name": "x", "deployment": elsewhere.pk}, format="json")
    assert other.status_code == 400 and "does not exist" in str(other.json()["deployment"])
    someone = django_user_model.objects.create_user("someone")
    assert client.post("/api/v1/tokens/", {"name": "x", "user": "someone"}, format="json").status_code == 403
    key = client.post("/api/v1/tokens/", {"name": "ci"}, format="json").json()["token"]
    assert client.post("/api/v1/tokens/", {"name": "ci"}, format="json").status_code == 409
    by_token = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert by_token.post("/api/v1/tokens/", {"name": "more"}, format="json").status_code == 403
    assert by_token.delete(f"/api/v1/tokens/{ApiToken.objects.get(name='ci').pk}/").status_code == 403
    assert not ApiToken.objects.filter(user=someone).exists()


def test_revoked_in_the_console_and_created_there_shown_once(dba):
    web = Client()
    web.force_login(dba)
    page = web.post("/tokens/", {"name": "deploy-bot", "expires_days": "30"})
    assert page.status_code == 201
    token = ApiToken.objects.get(name="deploy-bot")
    text = page.content.decode()
    key = text.split('<code class="secret">')[1].split("</code>")[0]
    assert key.startswith(token.prefix) and token.expires_at > timezone.now() + timedelta(days=29)
    assert key not in web.get("/tokens/").content.decode()
    assert web.post("/tokens/", {"name": "", "expires_days": "soon"}).status_code == 400
    assert web.post(f"/tokens/{token.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=token.pk).state == "revoked"
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/clusters/").status_code == 401


def test_admins_manage_the_members_of_their_deployment(dep, dba, django_user_model):
    admin = factories.member(django_user_model.objects.create_user("boss", password="Boss-pass-word-1"), dep, "admin")
    django_user_model.objects.create_user("newbie")
    web = Client()
    web.force_login(admin)
    assert web.post("/members/", {"deployment": dep.pk, "user": "newbie", "role": "viewer"}).status_code == 302
    assert web.post("/members/", {"deployment": dep.pk, "user": "nobody", "role": "viewer"}).status_code == 400
    assert web.post("/members/", {"deployment": dep.pk, "user": "newbie", "role": "king"}).status_code == 400
    grant = Membership.objects.get(user__username="newbie")
    assert grant.role == "viewer" and ObjectChange.objects.filter(object_id=grant.pk, action="create").exists()
    as_dba = Client()
    as_dba.force_login(dba)
    assert as_dba.post("/members/", {"deployment": dep.pk, "user": "newbie", "role": "admin"}).status_code == 403
    assert as_dba.post(f"/members/{grant.pk}/remove/").status_code == 403
    assert web.post(f"/members/{grant.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=grant.pk).exists()
