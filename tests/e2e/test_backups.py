"""Backups end to end on the shared pg-test cluster, checked against the real `pgbackrest info`: "back up now"
through the API runs on the live primary, the catalogue and recovery window the API shows are pgBackRest's, an
incremental backup builds on the full one, a policy's retention expires old backups, and after a switchover the
next backup runs on the new primary."""
import json
from datetime import datetime, timezone

import pytest

from tasks import ssh

from .conftest import job_log, succeeded
from .test_provision import patroni_list

pytestmark = [pytest.mark.e2e, pytest.mark.sandbox]


def pgbackrest_info(node) -> dict:
    """The stanza as `pgbackrest info --output=json` reports it on the node."""
    text = ssh.run(node, ssh.build("runuser", "-u", "postgres", "--", "pgbackrest", "--stanza=pg-test",
                                   "--output=json", "info"), timeout=60).stdout
    return json.loads(text)[0]


def backup(provisioned, backup_type: str) -> dict:
    return succeeded(provisioned.client, provisioned.client.post(
        f"/api/v1/clusters/{provisioned.cluster_id}/backups/", {"type": backup_type}, format="json"))


def catalogue(provisioned) -> dict:
    return provisioned.client.get(f"/api/v1/clusters/{provisioned.cluster_id}/backups/").data


def leader(provisioned) -> str:
    return next(m["Member"] for m in patroni_list(provisioned.nodes[0]) if m["Role"] == "Leader")


def stamp(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def test_backups_run_on_the_primary_and_the_catalogue_is_pgbackrests(provisioned, committed):
    client, primary = provisioned.client, provisioned.node("primary")
    policy = client.post("/api/v1/backup-policies/", {"cluster": provisioned.cluster_id, "type": "full",
                                                      "retention_full": 1}, format="json")
    assert policy.status_code == 201, policy.data

    full = backup(provisioned, "full")
    assert full["result"]["primary"] == leader(provisioned) and full["result"]["type"] == "full"
    lines = [line["text"] for line in job_log(client, full["id"])]
    assert any("backup command end: completed successfully" in text for text in lines), lines
    incr = backup(provisioned, "incr")
    assert incr["result"]["type"] == "incr"

    info = pgbackrest_info(primary)
    shown = catalogue(provisioned)
    assert shown["read_from"] == primary.ip
    assert sorted(b["label"] for b in shown["backups"]) == sorted(b["label"] for b in info["backup"])
    by_label = {b["label"]: b for b in shown["backups"]}
    assert by_label[incr["result"]["label"]]["prior"] == full["result"]["label"]
    for raw in info["backup"]:
        row = by_label[raw["label"]]
        assert (row["type"], row["lsn_start"], row["lsn_stop"], row["size"]) == (
            raw["type"], raw["lsn"]["start"], raw["lsn"]["stop"], raw["info"]["size"])
        assert (row["started_at"], row["stopped_at"]) == (stamp(raw["timestamp"]["start"]),
                                                          stamp(raw["timestamp"]["stop"]))
    window = shown["recovery_window"]
    assert window["earliest"] == stamp(min(b["timestamp"]["stop"] for b in info["backup"]) + 1)
    newest_stop = datetime.fromtimestamp(max(b["timestamp"]["stop"] for b in info["backup"]), tz=timezone.utc)
    assert datetime.fromisoformat(window["latest"]) >= newest_stop
    assert shown["wal_max"] == max(a["max"] for a in info["archive"])

    second = backup(provisioned, "full")
    labels = [b["label"] for b in pgbackrest_info(primary)["backup"]]
    assert labels == [second["result"]["label"]], "retention_full 1 expires the older full and its incremental"
    assert [b["label"] for b in catalogue(provisioned)["backups"]] == labels

    provisioned.node("primary")  # records the live state now, moments after the backup's WAL switch
    lags = {i.name: i.live_lag_mb for i in provisioned.cluster.instances.all() if i.live_role == "replica"}
    assert len(lags) == 2 and all(lag is not None and lag < 1 for lag in lags.values()), (
        f"replicas that have every WAL segment read as caught up: {lags}")


def test_after_a_switchover_the_next_backup_runs_on_the_new_primary(provisioned, committed):
    client, before = provisioned.client, leader(provisioned)
    succeeded(client, client.post(f"/api/v1/clusters/{provisioned.cluster_id}/switchover/", {}, format="json"))
    after = leader(provisioned)
    assert after != before
    job = backup(provisioned, "incr")
    assert job["result"]["primary"] == after
    new_primary = provisioned.node("primary")
    assert catalogue(provisioned)["read_from"] == new_primary.ip
    assert job["result"]["label"] in [b["label"] for b in pgbackrest_info(new_primary)["backup"]]


def use_repo(provisioned, method: str, repo: dict | None, secret: dict | None = None) -> dict:
    """Point the cluster at another backup repository (its vars, then apply) and return the apply job."""
    client, url = provisioned.client, f"/api/v1/clusters/{provisioned.cluster_id}/"
    body = {"vars": {**client.get(url).data["vars"], "pgbackrest_method": method,
                     "pgbackrest_repo": {method: repo}}}
    if secret is not None:
        body["secret_vars"] = {"pgbackrest_repo": {method: secret}}
    response = client.patch(url, body, format="json")
    assert response.status_code == 200, response.data
    return succeeded(client, client.post(f"{url}apply/"))


def test_a_shared_repository_keeps_one_catalogue_across_a_switchover(provisioned, committed):
    use_repo(provisioned, "shared", {"path": "/pg/shared/backup", "retention_full_type": "count",
                                     "retention_full": 2})
    for node in provisioned.nodes:
        conf = ssh.run(node, ssh.build("cat", "/etc/pgbackrest/pgbackrest.conf"), timeout=20).stdout
        assert "repo1-path=/pg/shared/backup" in conf, (node.ip, conf)
    first = backup(provisioned, "full")
    client = provisioned.client
    succeeded(client, client.post(f"/api/v1/clusters/{provisioned.cluster_id}/switchover/", {}, format="json"))
    second = backup(provisioned, "incr")
    assert second["result"]["primary"] != first["result"]["primary"]
    assert second["result"]["type"] == "incr", "the new primary builds on the full backup in the shared repository"
    labels = [b["label"] for b in catalogue(provisioned)["backups"]]
    assert sorted(labels) == sorted([first["result"]["label"], second["result"]["label"]])
    for node in provisioned.nodes:  # every member sees the same repository
        assert sorted(b["label"] for b in pgbackrest_info(node)["backup"]) == sorted(labels)


def test_an_s3_repository_takes_backups_and_archives_wal(provisioned, committed, s3_store):
    use_repo(provisioned, "s3", s3_store["repo"], s3_store["secret"])
    primary = provisioned.node("primary")
    conf = ssh.run(primary, ssh.build("cat", "/etc/pgbackrest/pgbackrest.conf"), timeout=20).stdout
    assert "repo1-type=s3" in conf and "repo1-storage-verify-tls=n" in conf
    job = backup(provisioned, "full")
    assert s3_store["secret"]["s3_key_secret"] not in json.dumps(job)
    log = " ".join(line["text"] for line in job_log(provisioned.client, job["id"]))
    assert s3_store["secret"]["s3_key_secret"] not in log and "backup command end: completed successfully" in log
    info = pgbackrest_info(primary)
    assert [b["label"] for b in info["backup"]] == [job["result"]["label"]]
    shown = catalogue(provisioned)
    assert [b["label"] for b in shown["backups"]] == [job["result"]["label"]]
    assert shown["wal_max"] >= info["backup"][0]["archive"]["stop"], "WAL is archived into the S3 repository"
    cluster = provisioned.client.get(f"/api/v1/clusters/{provisioned.cluster_id}/").data
    assert s3_store["secret"]["s3_key_secret"] not in json.dumps(cluster), "repository secrets are not shown"
