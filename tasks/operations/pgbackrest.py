"""pgBackRest on a node, run as the database superuser: backups, the repository's catalogue, and PostgreSQL's
own view of WAL archiving (pg_stat_archiver)."""
import json
from datetime import datetime

from tasks import ssh
from tasks.operations import psql

BACKUP_TIMEOUT = 6 * 3600  # a full backup of a large database takes hours; the job's heartbeat shows it alive

ARCHIVER_SQL = ("SELECT json_build_object('wal', coalesce(last_archived_wal, ''), "
                "'time', last_archived_time, 'failed_wal', coalesce(last_failed_wal, ''), "
                "'failed_time', last_failed_time) FROM pg_stat_archiver")


def command(stanza: str, *args: str) -> str:
    return ssh.build("runuser", "-u", "postgres", "--", "pgbackrest", f"--stanza={stanza}", *args)


def backup(node, stanza: str, backup_type: str, retention_full: int | None = None, on_line=None,
           timeout: float = BACKUP_TIMEOUT):
    """`pgbackrest backup` of the given type; its console log (info level) reaches `on_line` as it runs. A
    `retention_full` overrides the repo's for this backup's automatic expiry."""
    options = [f"--repo1-retention-full={int(retention_full)}"] if retention_full else []
    return ssh.run(node, command(stanza, f"--type={backup_type}", *options, "--log-level-console=info", "backup"),
                   timeout=timeout, on_line=on_line)


def info(node, stanza: str) -> list:
    """The parsed JSON of `pgbackrest info --output=json` for the stanza."""
    text = ssh.run(node, command(stanza, "--output=json", "info"), timeout=60).stdout
    try:
        return json.loads(text)
    except ValueError:
        raise ValueError(f"pgbackrest info on {node.ip} did not print JSON: {text[:200]!r}") from None


def archiver(node) -> dict:
    """PostgreSQL's last archived (and last failed) WAL segment and when, as aware datetimes or None."""
    row = psql.query_json(node, ARCHIVER_SQL) or {}
    for key in ("time", "failed_time"):
        row[key] = datetime.fromisoformat(row[key]) if row.get(key) else None
    return row
