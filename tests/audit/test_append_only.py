"""Audit entries are append-only: saving an existing entry, deleting one, and the queryset's update, delete and bulk
paths are refused with a clear error, and the admin shows entries without add, change or delete."""
import pytest
from django.test import Client
from django.urls import reverse

from clusters.changelog.context import change_context
from clusters.models import AppendOnlyError, AuthEvent, ObjectChange
from tasks.models import Job, JobEvent
from tests import factories

pytestmark = pytest.mark.django_db


def one_entry_of_each() -> list:
    with change_context(source="cli"):
        factories.deployment()
    Job.objects.create(kind="pgsql.backup")
    AuthEvent.objects.create(action="login_failed", username="someone", source="ui")
    return [ObjectChange.objects.get(), JobEvent.objects.get(), AuthEvent.objects.get()]


@pytest.mark.parametrize("index", [0, 1, 2], ids=["change", "job-event", "auth-event"])
def test_an_entry_cannot_be_changed_or_deleted(index):
    entry = one_entry_of_each()[index]
    model, stored = type(entry), (entry.deployment_id, entry.hash)
    entry.deployment_id = 999
    with pytest.raises(AppendOnlyError, match=f"#{entry.pk} is append-only: it cannot be changed"):
        entry.save()
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        entry.delete()
    with pytest.raises(AppendOnlyError, match="are append-only: they cannot be updated"):
        model.objects.filter(pk=entry.pk).update(deployment_id=999)
    with pytest.raises(AppendOnlyError, match="are append-only: they cannot be deleted"):
        model.objects.all().delete()
    with pytest.raises(AppendOnlyError, match="cannot be updated"):
        model.objects.bulk_update([entry], ["deployment_id"])
    with pytest.raises(AppendOnlyError, match="create them one by one"):
        model.objects.bulk_create([model()])
    fresh = model.objects.get(pk=entry.pk)
    assert (fresh.deployment_id, fresh.hash) == stored


def test_a_new_entry_given_an_existing_id_is_refused():
    entry = one_entry_of_each()[2]
    with pytest.raises(AppendOnlyError):
        AuthEvent(pk=entry.pk, action="login", username="forger", source="ui").save()
    assert AuthEvent.objects.get().username == "someone"


@pytest.mark.parametrize("model", ["clusters_objectchange", "clusters_authevent", "tasks_jobevent"])
def test_the_admin_shows_entries_read_only(admin_user, model):
    entry = one_entry_of_each()[["clusters_objectchange", "tasks_jobevent", "clusters_authevent"].index(model)]
    client = Client()
    client.force_login(admin_user)
    changelist = client.get(reverse(f"admin:{model}_changelist"))
    assert changelist.status_code == 200 and "delete_selected" not in changelist.content.decode()
    change_page = client.get(reverse(f"admin:{model}_change", args=[entry.pk])).content.decode()
    assert 'name="_save"' not in change_page
    assert client.get(reverse(f"admin:{model}_add")).status_code == 403
    assert client.post(reverse(f"admin:{model}_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert type(entry).objects.filter(pk=entry.pk).exists()
