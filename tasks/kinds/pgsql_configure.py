"""Bring a running PGSQL cluster's configuration in line with its spec without restarting anything: HA settings
(pg_rto's RTO plan, pg_rpo, synchronous mode), PostgreSQL parameters, HBA rules and service definitions.

Files are rewritten on every member and the programs whose files changed are reloaded (Patroni re-reads
patroni.yml: local parameters and pg_hba; HAProxy gets its new check intervals; pgBouncer its HBA); the settings
Patroni keeps in the DCS are PATCHed through its REST API. The job waits until the members use the new
configuration and reports the parameters that only take effect after a restart, per member."""
import time

from clusters.models import PGCluster
from tasks import ssh
from tasks.jobs import JobFailed, JobKind, Step, register
from tasks.operations import parallel, psql
from tasks.operations.livestate import live_primary, read_members
from tasks.operations.patroni import wait_for
from tasks.render import hba, render_pgbouncer_hba, render_pgbouncer_userlist
from tasks.render.rto import rto_plan

from . import members
from .common import reach_all
from .dynamic import converge_dynamic
from .pgsql_apply import pg_programs
from .spec import cluster_spec_errors, system_passwords

PENDING_RESTART_SQL = "SELECT coalesce(json_agg(name ORDER BY name), '[]') FROM pg_settings WHERE pending_restart"


def hba_in_use(instance) -> bool:
    """Patroni has written the instance's declared pg_hba lines into the data directory's pg_hba.conf."""
    text = ssh.run(instance.node, ssh.build("cat", "/pg/data/pg_hba.conf"), timeout=15).stdout
    present = {line.strip() for line in text.splitlines()}
    wanted = hba.patroni_lines(instance.cluster) + hba.lines(instance.cluster, "postgres", instance)
    return all(line.strip() in present for line in wanted if line.strip() and not line.startswith("#"))


@register
class PGSQLConfigure(JobKind):
    name = "pgsql.configure"
    target_model = PGCluster

    def validate(self, cluster, params):
        errors = cluster_spec_errors(cluster)
        if not errors and cluster.status != "running":
            errors["status"] = [f"{cluster.name} is {cluster.status}; configure changes a running cluster "
                                f"(apply creates one)"]
        return errors

    def secrets(self, cluster):
        return list(system_passwords(cluster).values())

    def steps(self, ctx):
        cluster = ctx.target
        instances = list(cluster.instances.select_related("node").order_by("pg_seq"))
        nodes = [i.node for i in instances]
        changed, sent = {}, {}

        def check(ctx):
            reach_all(ctx, nodes, pg_programs(cluster.pg_version))
            leader = live_primary(cluster, instances)
            if leader is None:
                raise JobFailed(f"{cluster.name} has no running leader now; configure needs one (see the "
                                f"cluster's members and events)")
            sent["leader"] = leader

        def write_files(ctx):
            userlist, pgb_hba = render_pgbouncer_userlist(cluster), render_pgbouncer_hba(cluster)

            def one(instance):
                changed[instance.node.ip] = members.write_files(ctx, instance, userlist, pgb_hba)
            parallel.each(instances, one)

        def reload_changed(ctx):
            def one(node):
                for name in members.PROGRAMS:
                    if changed[node.ip][name]:
                        members.reload(ctx, node, name)
            parallel.each(nodes, one)

        def dynamic(ctx):
            sent["body"] = converge_dynamic(ctx, cluster, sent["leader"])

        def settle(ctx):
            """Patroni applies a reload and a new dynamic configuration in its next HA loop (at most loop_wait
            seconds away); the job waits for that, then reports the members Patroni marks as pending a restart
            with the parameters PostgreSQL says wait for it. (Patroni's mark, not pg_settings alone: when a value
            goes back to the running one Patroni leaves the old value in postgresql.conf until the next start.)"""
            reloaded = [i for i in instances if changed[i.node.ip]["patroni"]]
            if reloaded:
                wait_for(lambda: all(parallel.each(reloaded, hba_in_use)), timeout=60, interval=0.5,
                         what="Patroni writing the new pg_hba.conf on every reloaded member")
            if reloaded or "postgresql" in sent["body"]:
                time.sleep(rto_plan(cluster)["loop_wait"] + 1)
                parallel.each(nodes, lambda node: psql.query_json(node, "SELECT to_json(pg_reload_conf())"))
            flagged = {m["Member"] for m in read_members(instances) if m.get("Pending restart")}
            pending = {i.name: psql.query_json(i.node, PENDING_RESTART_SQL) or ["(Patroni's pending restart)"]
                       for i in instances if i.name in flagged}
            ctx.result["pending_restart"] = pending
            if pending:
                for name, params in pending.items():
                    ctx.log(f"{name} needs a restart for: {', '.join(params)} (POST …/restart/ restarts "
                            f"the members one by one)", level="warning")
            else:
                ctx.log("every member uses the new configuration; no restart needed")

        return [
            Step("check nodes and the leader", check),
            Step("write configuration files", write_files),
            Step("reload services whose configuration changed", reload_changed),
            Step("apply Patroni dynamic configuration", dynamic),
            Step("wait for the members and report pending restarts", settle),
        ]
