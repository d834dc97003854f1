"""`pgsql.restore`: the job an approved restore request starts (params {"restore": id}).

branch (target: the new cluster): its nodes get their files, the primary's data directory is restored from the
source cluster's repository to the target and recovered by hand, then the cluster comes up exactly as an apply
brings one up — Patroni adopts the recovered data directory under the new scope, replicas clone from it,
services, roles, its own pgBackRest stanza, verification.

in-place (target: the cluster itself): Patroni stops on every member and the cluster's state leaves etcd, the
live primary's data directory is restored and recovered, the replicas' data directories are cleared so they
clone again, the cluster comes up as above, and a new full backup starts the restored timeline's history.

Either way the job result holds the point recovery actually reached (`reached`: time of the last replayed
transaction, LSN, timeline and the timeline switch record)."""
from backups.models import RestoreRequest
from clusters.models import PGCluster
from tasks import services, ssh
from tasks.jobs import JobFailed, Step, register
from tasks.operations import parallel, pgbackrest, psql
from tasks.operations import restore as recovery
from tasks.render.backup import repo_secrets
from tasks.render.context import DATA_DIR

from .pgsql_apply import PGSQLApply
from .pgsql_backup import refresh_catalog
from .pgsql_destroy import forget_in_etcd

WRITE_CHECK_SQL = "SELECT json_build_object('recovery', pg_is_in_recovery(), 'xid', txid_current()::text)"


def restore_request(params) -> RestoreRequest | None:
    return RestoreRequest.objects.select_related("cluster").filter(pk=params.get("restore")).first()


@register
class PGSQLRestore(PGSQLApply):
    name = "pgsql.restore"
    target_model = PGCluster

    def validate(self, cluster, params):
        request = restore_request(params)
        if request is None:
            return {"restore": [f"no restore request {params.get('restore')!r}"]}
        if request.state != "approved":
            return {"restore": [f"restore #{request.pk} is {request.state}; only an approved restore runs"]}
        return super().validate(cluster, params)

    def steps(self, ctx):
        request = restore_request(ctx.params)
        cluster, source = ctx.target, request.cluster
        for value in repo_secrets(source):
            ctx.add_secret(value)
        instances = list(cluster.instances.select_related("node").order_by("pg_seq"))
        primary = self.choose_primary(cluster, instances)
        replicas = [i for i in instances if i.pk != primary.pk]
        nodes = [i.node for i in instances]
        applied = super().steps(ctx, primary=primary)

        def stop_everywhere(ctx):
            def one(node):
                svc = services.for_node(node)
                for name in ("patroni",):
                    if svc.status(name) == services.RUNNING:
                        svc.stop(name)
                        ctx.note_change(f"stopped {name} (and PostgreSQL)", node=node.ip)
            parallel.each(nodes, one)
            forget_in_etcd(ctx, cluster)

        def restore_data(ctx):
            node = primary.node
            ctx.log(f"restoring {source.name}'s backup ({request.target_type}"
                    f"{' ' + request.target if request.target else ''}"
                    f"{', exclusive' if not request.inclusive else ''}) into {DATA_DIR} of {primary.name}",
                    node=node.ip)
            recovery.restore(node, source.name, request.target_type, request.target, request.inclusive,
                             on_line=lambda stream, line: ctx.log(line, node=node.ip))
            ctx.note_change(f"restored {source.name} into {DATA_DIR}", node=node.ip)

        def recover(ctx):
            node = primary.node
            try:
                reached = recovery.recover(node, cluster.pg_version)
            except recovery.RecoveryFailed as exc:
                raise JobFailed(str(exc), node=node.ip) from None
            ctx.result["reached"] = reached
            ctx.log(f"recovery reached {reached.get('time') or 'no transaction replayed'} at LSN {reached['lsn']}, "
                    f"new timeline {reached['timeline']} ({reached.get('switch_reason', '')})", node=node.ip)
            recovery.finish(node, cluster.pg_version)
            RestoreRequest.objects.filter(pk=request.pk).update(reached=reached)

        def clear_replicas(ctx):
            def one(instance):
                ssh.run(instance.node, ssh.build("rm", "-rf", "--", DATA_DIR), timeout=300)
                ctx.note_change("cleared the data directory: the replica clones the restored primary",
                                node=instance.node.ip)
            parallel.each(replicas, one)

        def verify_writable(ctx):
            state = psql.query_json(primary.node, WRITE_CHECK_SQL)
            if state["recovery"]:
                raise JobFailed(f"{primary.name} is still in recovery", node=primary.node.ip)
            ctx.log(f"{primary.name} accepts writes (transaction {state['xid']})", node=primary.node.ip)

        def full_backup(ctx):
            pgbackrest.backup(primary.node, cluster.name, "full",
                              on_line=lambda stream, line: ctx.log(line, node=primary.node.ip))
            ctx.note_change("full backup of the restored cluster taken", node=primary.node.ip)
            refresh_catalog(ctx, cluster, primary.node)

        names = [step.name for step in applied]
        start = names.index("start Patroni on the primary")
        before = applied[:start]
        if request.mode == "in-place":
            before = [applied[0], Step("stop Patroni on every member and forget the cluster in etcd",
                                       stop_everywhere), *applied[1:start]]
        restore_steps = [Step(f"restore {source.name}'s backup on {primary.name}", restore_data),
                         Step("recover to the target and record the point reached", recover)]
        if request.mode == "in-place" and replicas:
            restore_steps.append(Step("clear the replicas' data directories", clear_replicas))
        after = [*applied[start:], Step("verify the primary accepts writes", verify_writable)]
        if request.mode == "in-place":
            after.append(Step("take a new full backup", full_backup))
        return [*before, *restore_steps, *after]
