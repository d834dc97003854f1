"""Backups API: a cluster's catalogue and recovery window, "back up now", and backup policies scheduled through
django-celery-beat. The jobs themselves run in tests/e2e/test_backups.py."""
import json
from datetime import datetime, timezone

import pytest
from django_celery_beat.models import PeriodicTask

from backups import schedule
from backups.catalog import parse_info
from backups.models import BackupPolicy
from backups.store import store
from backups.tasks import scheduled_backup
from clusters.models import ObjectChange
from tasks.models import Job
from tests import factories

from .info_sample import FULL_STOP, info


def running_cluster(**fields):
    cluster = factories.pg_cluster(status="running", **fields)
    factories.etcd_cluster(cluster.deployment)
    return cluster


@pytest.mark.django_db
def test_a_cluster_never_read_has_an_empty_catalogue(api):
    cluster = running_cluster()
    data = api.get(f"/api/v1/clusters/{cluster.pk}/backups/").data
    assert data["refreshed_at"] is None and data["backups"] == []
    assert data["recovery_window"] == {"earliest": None, "latest": None}


@pytest.mark.django_db
def test_the_catalogue_shows_each_backup_and_the_recovery_window(api):
    cluster = running_cluster()
    archived = datetime(2026, 11, 25, 11, 30, tzinfo=timezone.utc)
    store(cluster, "10.0.0.1", parse_info(info(cluster.name), cluster.name),
          {"wal": "000000010000000000000009", "time": archived})
    data = api.get(f"/api/v1/clusters/{cluster.pk}/backups/").data
    assert [b["label"] for b in data["backups"]] == ["20261125-100000F_20261125-110000I", "20261125-100000F"]
    assert data["backups"][1]["type"] == "full" and data["backups"][1]["lsn_stop"] == "0/4000138"
    earliest = datetime.fromtimestamp(FULL_STOP + 1, tz=timezone.utc)
    assert data["recovery_window"] == {"earliest": earliest.isoformat().replace("+00:00", "Z"),
                                       "latest": archived.isoformat().replace("+00:00", "Z")}
    assert data["read_from"] == "10.0.0.1" and data["wal_max"] == "000000010000000000000009"
    listed = api.get("/api/v1/backups/", {"cluster__name": cluster.name, "type": "full"}).data["results"]
    assert [b["label"] for b in listed] == ["20261125-100000F"]


@pytest.mark.django_db
def test_backups_the_repository_expired_leave_the_catalogue(api):
    cluster = running_cluster()
    store(cluster, "10.0.0.1", parse_info(info(cluster.name), cluster.name), {})
    later = info(cluster.name)
    later[0]["backup"] = later[0]["backup"][1:]
    store(cluster, "10.0.0.1", parse_info(later, cluster.name), {})
    assert [b.label for b in cluster.backups.all()] == ["20261125-100000F_20261125-110000I"]


@pytest.mark.django_db
def test_back_up_now_starts_a_backup_job_of_the_requested_type(api):
    cluster = running_cluster()
    response = api.post(f"/api/v1/clusters/{cluster.pk}/backups/", {"type": "full"}, format="json")
    assert response.status_code == 202, response.data
    job = Job.objects.get(pk=response.data["id"])
    assert (job.kind, job.params) == ("pgsql.backup", {"type": "full"})
    default = api.post(f"/api/v1/clusters/{cluster.pk}/backups/", format="json")
    assert default.status_code == 409 and default.data["running_job"] == job.pk


@pytest.mark.django_db
def test_back_up_now_refuses_a_bad_type_and_a_cluster_that_is_not_running(api):
    cluster = running_cluster()
    response = api.post(f"/api/v1/clusters/{cluster.pk}/backups/", {"type": "weekly"}, format="json")
    assert response.status_code == 400 and "weekly" in str(response.data["type"])
    declared = factories.pg_cluster()
    response = api.post(f"/api/v1/clusters/{declared.pk}/backups/", {"type": "full"}, format="json")
    assert response.status_code == 400 and "backups need a running cluster" in str(response.data["status"])
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_policy_is_scheduled_in_celery_beat_and_follows_every_change(api):
    cluster = running_cluster()
    response = api.post("/api/v1/backup-policies/", {"cluster": cluster.pk, "schedule": "30 2 * * 0",
                                                     "type": "full", "retention_full": 3}, format="json")
    assert response.status_code == 201, response.data
    task = PeriodicTask.objects.get(name=schedule.task_name(cluster.pk))
    assert (task.task, json.loads(task.args), task.enabled) == ("backups.scheduled_backup", [cluster.pk], True)
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("30", "2", "0")

    policy_id = response.data["id"]
    assert api.patch(f"/api/v1/backup-policies/{policy_id}/", {"enabled": False, "schedule": "0 */6 * * *"},
                     format="json").status_code == 200
    task.refresh_from_db()
    assert task.enabled is False and task.crontab.hour == "*/6"
    change = ObjectChange.objects.filter(object_id=policy_id, action="update").latest("time")
    assert (change.before["schedule"], change.after["schedule"]) == ("30 2 * * 0", "0 */6 * * *")

    assert api.delete(f"/api/v1/backup-policies/{policy_id}/").status_code == 204
    assert not PeriodicTask.objects.filter(name=schedule.task_name(cluster.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body, field, text", [
    ({"schedule": "daily"}, "schedule", "five cron fields"),
    ({"schedule": "61 1 * * *"}, "schedule", "61"),
    ({"type": "weekly"}, "type", "weekly"),
    ({"retention_full": 0}, "retention_full", "greater than or equal to 1"),
])
def test_a_bad_policy_is_400_naming_the_field_and_schedules_nothing(api, body, field, text):
    cluster = running_cluster()
    response = api.post("/api/v1/backup-policies/", {"cluster": cluster.pk, **body}, format="json")
    assert response.status_code == 400 and text in str(response.data[field]), response.data
    assert not BackupPolicy.objects.exists() and not PeriodicTask.objects.filter(
        name=schedule.task_name(cluster.pk)).exists()


@pytest.mark.django_db
def test_a_second_policy_for_a_cluster_is_a_conflict(api):
    cluster = running_cluster()
    assert api.post("/api/v1/backup-policies/", {"cluster": cluster.pk}, format="json").status_code == 201
    assert api.post("/api/v1/backup-policies/", {"cluster": cluster.pk}, format="json").status_code == 409


@pytest.mark.django_db
def test_the_scheduled_task_starts_the_policys_backup_or_says_why_not():
    cluster = running_cluster()
    BackupPolicy.objects.create(cluster=cluster, type="diff")
    started = scheduled_backup(cluster.pk)
    job = Job.objects.get(pk=started["job"])
    assert (job.kind, job.params, job.requested_by) == ("pgsql.backup", {"type": "diff", "scheduled": True}, None)
    assert "is queued" in scheduled_backup(cluster.pk)["skipped"]

    stopped = factories.pg_cluster()
    BackupPolicy.objects.create(cluster=stopped)
    assert "backups need a running cluster" in scheduled_backup(stopped.pk)["skipped"]
    BackupPolicy.objects.filter(cluster=stopped).update(enabled=False)
    assert scheduled_backup(stopped.pk) == {"skipped": "no enabled backup policy"}
