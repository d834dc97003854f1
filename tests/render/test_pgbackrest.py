"""pgbackrest.conf: parsed and checked by pgBackRest itself (`help <command>` reads the config, checks every
option's value and warns about unknown ones, without a repo or a server)."""
import pytest

from tasks.render import render_pgbackrest

from . import checks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("command", ["backup", "archive-push", "restore", "expire"])
def test_pgbackrest_accepts_the_config(instances, tmp_path, command):
    path = checks.write(tmp_path, "pgbackrest.conf", render_pgbackrest(instances[1]))
    problems, _ = checks.pgbackrest(path, "pg-test", command)
    assert problems == []


def test_pgbackrest_check_bites(cluster, instances, tmp_path):
    cluster.vars = {"pgbackrest_repo": {"local": {"path": "/pg/backup", "retention_fulll": 2}},
                    "pgbackrest_process_max": "many"}
    cluster.save()
    path = checks.write(tmp_path, "pgbackrest.conf", render_pgbackrest(instances[1]))
    problems, _ = checks.pgbackrest(path, "pg-test", "backup")
    assert any("invalid option 'repo1-retention-fulll'" in p for p in problems)
    assert any("'many' is not valid for 'process-max'" in p for p in problems)


def test_default_local_repo(instances, tmp_path):
    path = checks.write(tmp_path, "pgbackrest.conf", render_pgbackrest(instances[1]))
    _, parsed = checks.pgbackrest(path, "pg-test", "backup")
    for option in ("--repo1-type=posix", "--repo1-path=/pg/backup", "--repo1-retention-full=2",
                   "--pg1-path=/pg/data", "--pg1-port=5432", "--pg1-socket-path=/var/run/postgresql",
                   "--process-max=2", "--stanza=pg-test"):
        assert option in parsed.split()


def test_s3_repo_with_secret_from_secret_vars(cluster, instances, tmp_path):
    cluster.vars = {"pgbackrest_method": "minio", "pgbackrest_repo": {"minio": {
        "type": "s3", "s3_endpoint": "sss.pigsty", "s3_region": "us-east-1", "s3_bucket": "pgsql",
        "s3_key": "pgbackrest", "s3_uri_style": "path", "path": "/pgbackrest", "storage_port": 9000,
        "retention_full_type": "time", "retention_full": 14}}}
    cluster.secret_vars = {"pgbackrest_repo": {"minio": {"s3_key_secret": "Backup-Secret-123"}}}
    cluster.save()
    text = render_pgbackrest(instances[1])
    assert "repo1-s3-key-secret=Backup-Secret-123" in text
    problems, parsed = checks.pgbackrest(checks.write(tmp_path, "pgbackrest.conf", text), "pg-test", "backup")
    assert problems == []
    assert "--repo1-type=s3" in parsed.split() and "--repo1-s3-bucket=pgsql" in parsed.split()


def test_unknown_method_refused(cluster, instances):
    cluster.vars = {"pgbackrest_method": "tape"}
    cluster.save()
    with pytest.raises(ValueError, match="pgbackrest_method"):
        render_pgbackrest(instances[1])
