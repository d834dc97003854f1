"""`pgsql.restore_drill`: prove a cluster's backups restore (what RDS does not give you). The newest backup is
restored on a scratch node (params {"node": id}, a node of the deployment that runs no PostgreSQL instance),
recovered to its consistent point and promoted, checked (every database of the spec answers), and thrown away;
a success is recorded as the cluster's last verified restore.

The source cluster is only read (its repository), so the job does not hold the cluster: it holds the scratch
node. A drill that failed half-way leaves nothing that the next one does not clear first."""
import re
import time

from django.utils import timezone

from backups.models import RestoreDrill
from clusters.models import Node, PGCluster
from tasks import ssh
from tasks.jobs import JobFailed, JobKind, Step, register
from tasks.operations import psql
from tasks.operations import restore as recovery
from tasks.render import render_pgbackrest
from tasks.render.backup import repo_secrets

from .common import reach_all
from .pgsql_apply import pg_programs
from .pgsql_backup import running_primary

DRILL_CONFIG = "/etc/pgbackrest/drill.conf"
BACKUP_SET = re.compile(r"restore backup set ([^\s,]+)")


def scratch_node_errors(cluster, node_id) -> tuple[Node | None, dict]:
    node = Node.objects.filter(pk=node_id, deployment=cluster.deployment).first() if node_id else None
    if node is None:
        return None, {"node": [f"give a node of deployment {cluster.deployment.name} to restore on"]}
    if node.pg_instances.exists():
        return None, {"node": [f"{node.ip} runs a PostgreSQL instance; a drill needs a scratch node"]}
    return node, {}


@register
class PGSQLRestoreDrill(JobKind):
    name = "pgsql.restore_drill"
    capability = "operate"
    target_model = PGCluster

    def validate(self, cluster, params):
        errors = {}
        if cluster.status != "running":
            errors["status"] = [f"{cluster.name} is {cluster.status}; a drill restores a running cluster's backups"]
        elif not cluster.backups.filter(error=False).exists():
            errors["cluster"] = [f"{cluster.name} has no backup in its catalogue to drill"]
        errors.update(scratch_node_errors(cluster, params.get("node"))[1])
        return errors

    def lock_key(self, cluster) -> str:
        """One drill at a time per deployment (drills of its clusters may share a scratch node); the cluster
        itself stays free for other jobs."""
        return f"restore-drill:deployment:{cluster.deployment_id}"

    def secrets(self, cluster):
        return repo_secrets(cluster)

    def steps(self, ctx):
        cluster = ctx.target
        node, _ = scratch_node_errors(cluster, ctx.params.get("node"))
        version, found = cluster.pg_version, {}

        def prepare(ctx):
            reach_all(ctx, [node], pg_programs(version))
            recovery.discard(node, version)
            primary = running_primary(cluster)
            ssh.upload(node, DRILL_CONFIG, render_pgbackrest(primary), owner="postgres", mode=0o600)
            ctx.log(f"scratch node {node.ip} is empty; restoring {cluster.name}'s newest backup", node=node.ip)

        def restore(ctx):
            found["started"] = time.monotonic()

            def line(stream, text):
                ctx.log(text, node=node.ip)
                chosen = BACKUP_SET.search(text)
                if chosen:
                    found["label"] = chosen.group(1)
            recovery.restore(node, cluster.name, "immediate", "", True, config=DRILL_CONFIG, on_line=line)

        def recover(ctx):
            try:
                found["reached"] = recovery.recover(node, version)
            except recovery.RecoveryFailed as exc:
                raise JobFailed(str(exc), node=node.ip) from None
            ctx.result["reached"] = found["reached"]

        def verify(ctx):
            databases = ["postgres", *cluster.databases.values_list("name", flat=True)]
            for name in databases:
                psql.query_json(node, "SELECT to_json(1)", db=name)
            ctx.log(f"recovered and promoted; {len(databases)} database(s) answer", node=node.ip)
            found["seconds"] = round(time.monotonic() - found["started"], 2)

        def tear_down(ctx):
            recovery.discard(node, version)
            ssh.run(node, ssh.build("rm", "-f", DRILL_CONFIG), timeout=15)
            drill = RestoreDrill.objects.create(cluster=cluster, node=node, job=ctx.job, finished=timezone.now(),
                                                backup_label=found.get("label", ""), reached=found["reached"],
                                                seconds=found["seconds"])
            ctx.result.update(verified=True, backup=drill.backup_label, seconds=drill.seconds)
            ctx.log(f"restore verified in {drill.seconds} s; scratch node {node.ip} cleared", node=node.ip)

        return [Step("prepare the scratch node", prepare),
                Step(f"restore {cluster.name}'s newest backup on {node.ip}", restore),
                Step("recover to the consistent point", recover),
                Step("verify the restored databases answer", verify),
                Step("tear down and record the verified restore", tear_down)]
