"""The backup catalogue of a cluster, read from `pgbackrest info --output=json`: each backup set and the
recovery window. Pure functions over pgBackRest's JSON, so the parsing is tested without nodes.

The recovery window is what PITR can reach: from the end of the oldest backup (the earliest consistent point;
an earlier target has no base backup to start from; pgBackRest counts from the next whole second) to the newest
WAL the repository holds. pgBackRest knows
WAL only by segment name, not by time, so the latest restorable time is PostgreSQL's own record of its last
archived segment (`pg_stat_archiver.last_archived_time` on the primary) when that segment is the newest in the
repository, and otherwise the end of the newest backup (every backup's WAL is archived before it completes)."""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

# pgBackRest keeps backup times in whole seconds and picks a backup for a time target only when the target is
# past the second the backup ended: a target in that second finds no backup ("unable to find backup set")
PGBACKREST_SECOND = timedelta(seconds=1)


class CatalogError(ValueError):
    """pgBackRest's answer is not a catalogue of the stanza (wrong stanza, repository error, bad JSON)."""


@dataclass(frozen=True)
class BackupSet:
    label: str
    type: str
    prior: str
    started_at: datetime
    stopped_at: datetime
    size: int
    delta: int
    repo_size: int
    repo_delta: int
    wal_start: str
    wal_stop: str
    lsn_start: str
    lsn_stop: str
    error: bool


@dataclass(frozen=True)
class Catalog:
    stanza: str
    status: str
    backups: list[BackupSet]
    wal_min: str
    wal_max: str


def _time(epoch) -> datetime:
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc)


def parse_info(stanzas: list, stanza: str) -> Catalog:
    """The catalogue of `stanza` from the parsed JSON of `pgbackrest info --output=json`."""
    if not isinstance(stanzas, list):
        raise CatalogError("pgbackrest info did not return a list of stanzas")
    entry = next((s for s in stanzas if isinstance(s, dict) and s.get("name") == stanza), None)
    if entry is None:
        raise CatalogError(f"pgbackrest info has no stanza {stanza!r}")
    status = entry.get("status") or {}
    if status.get("code") not in (0, 2):  # 2: stanza exists but holds no backup yet
        raise CatalogError(f"stanza {stanza}: {status.get('message') or 'unknown repository status'}")
    backups = []
    for raw in entry.get("backup") or []:
        info, repo = raw.get("info") or {}, (raw.get("info") or {}).get("repository") or {}
        archive, lsn, stamp = raw.get("archive") or {}, raw.get("lsn") or {}, raw["timestamp"]
        backups.append(BackupSet(
            label=raw["label"], type=raw["type"], prior=raw.get("prior") or "",
            started_at=_time(stamp["start"]), stopped_at=_time(stamp["stop"]),
            size=int(info.get("size") or 0), delta=int(info.get("delta") or 0),
            repo_size=int(repo.get("size") or 0), repo_delta=int(repo.get("delta") or 0),
            wal_start=archive.get("start") or "", wal_stop=archive.get("stop") or "",
            lsn_start=lsn.get("start") or "", lsn_stop=lsn.get("stop") or "", error=bool(raw.get("error"))))
    archives = [a for a in entry.get("archive") or [] if a.get("min")]
    return Catalog(stanza=stanza, status=status.get("message") or "", backups=backups,
                   wal_min=min((a["min"] for a in archives), default=""),
                   wal_max=max((a["max"] for a in archives), default=""))


def recovery_window(catalog: Catalog, last_archived_wal: str = "",
                    last_archived_time: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """(earliest, latest) restorable time, or (None, None) without a usable backup."""
    usable = [b for b in catalog.backups if not b.error]
    if not usable:
        return None, None
    earliest = min(b.stopped_at for b in usable) + PGBACKREST_SECOND
    latest = max(b.stopped_at for b in usable)
    if last_archived_time and last_archived_wal and last_archived_wal[:24] == catalog.wal_max:
        latest = max(latest, last_archived_time)
    return earliest, max(latest, earliest)
