"""Backups of a running cluster with pgBackRest: `pgsql.backup` takes one (full, diff or incr; incr by default,
as Pigsty's pg-backup, and pgBackRest makes it full when there is none to build on) on the live primary, since
only the primary backs up (after a switchover or failover the next backup runs on the new primary);
`pgsql.backup_refresh` only reads the catalogue. Both end by saving the catalogue and the recovery window."""
import time

from backups.catalog import CatalogError, parse_info
from backups.models import BACKUP_TYPES, BackupPolicy
from backups.store import store
from clusters.models import PGCluster
from tasks.jobs import JobFailed, JobKind, Step, register
from tasks.operations import pgbackrest
from tasks.operations.livestate import live_primary
from tasks.render.backup import repo_secrets

from .pgsql_apply import ensure_stanza

TYPES = [value for value, _ in BACKUP_TYPES]


def running_primary(cluster):
    instances = list(cluster.instances.select_related("node").order_by("pg_seq"))
    primary = live_primary(cluster, instances)
    if primary is None:
        raise JobFailed(f"{cluster.name} has no running leader now; backups run on the primary")
    return primary


def refresh_catalog(ctx, cluster, node):
    try:
        catalog = parse_info(pgbackrest.info(node, cluster.name), cluster.name)
    except (CatalogError, ValueError) as exc:
        raise JobFailed(f"cannot read the backup catalogue: {exc}", node=node.ip) from None
    saved = store(cluster, node.ip, catalog, pgbackrest.archiver(node))
    window = (f"recovery window {saved.earliest_restorable:%Y-%m-%d %H:%M:%S%z} → "
              f"{saved.latest_restorable:%Y-%m-%d %H:%M:%S%z}" if saved.earliest_restorable
              else "no backup yet: nothing to restore from")
    ctx.log(f"catalogue: {len(catalog.backups)} backup(s), WAL {catalog.wal_min or '-'} … "
            f"{catalog.wal_max or '-'}; {window}", node=node.ip)
    ctx.result["backups"] = len(catalog.backups)
    return catalog


def _running(cluster) -> dict:
    if cluster.status != "running":
        return {"status": [f"{cluster.name} is {cluster.status}; backups need a running cluster"]}
    return {}


@register
class PGSQLBackup(JobKind):
    name = "pgsql.backup"
    capability = "operate"
    target_model = PGCluster

    def validate(self, cluster, params):
        errors = _running(cluster)
        backup_type = params.setdefault("type", "incr")
        if backup_type not in TYPES:
            errors["type"] = [f"{backup_type!r} is not a backup type; use one of {', '.join(TYPES)}"]
        return errors

    def secrets(self, cluster):
        return repo_secrets(cluster)

    def steps(self, ctx):
        cluster, found = ctx.target, {}

        def check(ctx):
            found["primary"] = running_primary(cluster)
            ctx.log(f"primary is {found['primary'].name}", node=found["primary"].node.ip)
            ensure_stanza(ctx, cluster, found["primary"].node)

        def backup(ctx):
            node = found["primary"].node
            started = time.monotonic()
            retention = BackupPolicy.objects.filter(cluster=cluster).values_list("retention_full", flat=True).first()
            pgbackrest.backup(node, cluster.name, ctx.params["type"], retention_full=retention,
                              on_line=lambda stream, line: ctx.log(line, node=node.ip))
            ctx.result["seconds"] = round(time.monotonic() - started, 2)
            ctx.note_change(f"{ctx.params['type']} backup taken", node=node.ip)

        def catalog(ctx):
            node = found["primary"].node
            newest = max(refresh_catalog(ctx, cluster, node).backups, key=lambda b: b.stopped_at, default=None)
            if newest is not None:
                ctx.result.update(label=newest.label, type=newest.type, size=newest.size,
                                  repo_delta=newest.repo_delta, primary=found["primary"].name)

        return [Step("find the primary and its pgBackRest stanza", check),
                Step(f"{ctx.params['type']} backup on the primary", backup),
                Step("refresh the backup catalogue", catalog)]


@register
class PGSQLBackupRefresh(JobKind):
    name = "pgsql.backup_refresh"
    capability = "operate"
    target_model = PGCluster
    mutating = False

    def validate(self, cluster, params):
        return _running(cluster)

    def secrets(self, cluster):
        return repo_secrets(cluster)

    def steps(self, ctx):
        cluster = ctx.target

        def catalog(ctx):
            refresh_catalog(ctx, cluster, running_primary(cluster).node)

        return [Step("read the backup catalogue from the primary's pgBackRest", catalog)]
