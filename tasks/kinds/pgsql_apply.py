"""Create (or converge) a PGSQL cluster: configs → Patroni primary → replicas streaming → pgBouncer → HAProxy
services → default roles, users and databases → pgBackRest stanza → live state recorded.
Every step compares before acting, so a re-run on a healthy cluster reports no change."""
import re

from django.utils import timezone

from clusters.models import PGCluster
from tasks import ssh
from tasks.jobs import JobKind, Step, register
from tasks.operations import packages, parallel
from tasks.operations.livestate import live_primary, record_live_state, replication_states
from tasks.operations.patroni import leader, members as patroni_members, wait_for
from tasks.render import render_pgbouncer_hba, render_pgbouncer_userlist
from tasks.render.backup import repo_secrets

from . import members
from .common import fail_unless, reach_all
from .dynamic import converge_dynamic
from .pgsql_access import converge_roles_and_databases
from .spec import cluster_spec_errors, ensure_cluster_passwords, system_passwords

def pg_programs(version):
    return {path.format(v=version): pkg.format(v=version) for path, pkg in packages.PGSQL_PROGRAMS.items()}


# what `pgbackrest stanza-create` (2.45) says when the stanza is already there: it changes nothing then
STANZA_EXISTS = re.compile(r"stanza '[^']+' already exists on repo\d+ and is valid")


def ensure_stanza(ctx, cluster, node):
    """The pgBackRest stanza in the repository of the primary's node, with WAL archiving checked the first time.
    With a local repository (Pigsty's default) every new primary needs its own, so a switchover ends here too."""
    pgbackrest = ("runuser", "-u", "postgres", "--", "pgbackrest", f"--stanza={cluster.name}")
    created = ssh.run(node, ssh.build(*pgbackrest, "--log-level-console=info", "stanza-create"), timeout=120)
    if STANZA_EXISTS.search(created.stdout + created.stderr):
        ctx.log(f"pgBackRest stanza {cluster.name} exists", node=node.ip)
        return
    ctx.note_change(f"created pgBackRest stanza {cluster.name}", node=node.ip)
    # WAL written before the stanza existed failed to archive and waits in a backlog (a slow shutdown at the next
    # switchover); `check` switches WAL and waits until archiving works and has caught up
    ssh.run(node, ssh.build(*pgbackrest, "--archive-timeout=60", "check"), timeout=120)
    ctx.log("WAL archiving checked: the archive has caught up", node=node.ip)


@register
class PGSQLApply(JobKind):
    name = "pgsql.apply"
    target_model = PGCluster

    def validate(self, cluster, params):
        return cluster_spec_errors(cluster)

    def secrets(self, cluster):
        values = list(system_passwords(cluster).values())
        values += [u.password for u in cluster.users.all() if u.password]
        return values + repo_secrets(cluster)

    @staticmethod
    def choose_primary(cluster, instances):
        """The live leader of a cluster that runs (a switchover or failover may have moved it), else the
        instance declared primary."""
        return live_primary(cluster, instances) or next(i for i in instances if i.pg_role == "primary")

    def steps(self, ctx, primary=None):
        cluster = ctx.target
        instances = list(cluster.instances.select_related("node").order_by("pg_seq"))
        requested = next(i for i in instances if i.pg_role == "primary")
        primary = next(i for i in instances if i.pk == primary.pk) if primary else self.choose_primary(cluster,
                                                                                                       instances)
        replicas = [i for i in instances if i.pk != primary.pk]
        nodes = [i.node for i in instances]
        changed_files = {}

        def check(ctx):
            ensure_cluster_passwords(cluster)
            for value in system_passwords(cluster).values():
                ctx.add_secret(value)
            if primary is not requested:
                ctx.log(f"{primary.name} leads now (a switchover or failover moved the primary from "
                        f"{requested.name}); it stays the primary")
            cluster.status = "provisioning"
            cluster.save(update_fields=["status", "last_updated"])
            reach_all(ctx, nodes, pg_programs(cluster.pg_version))

        def configure(ctx):
            userlist, pgb_hba = render_pgbouncer_userlist(cluster), render_pgbouncer_hba(cluster)

            def one(instance):
                changed_files[instance.node.ip] = members.write_files(ctx, instance, userlist, pgb_hba)
            parallel.each(instances, one)

        def start_patroni(ctx, instance):
            members.ensure_running(ctx, instance.node, "patroni", changed_files[instance.node.ip]["patroni"])

        def start_primary(ctx):
            start_patroni(ctx, primary)
            timeout = 120
            found = wait_for(lambda: (lambda m: m if m and m.get("Member") == primary.name and
                                      m.get("State") == "running" else None)(leader(patroni_members(primary.node))),
                             timeout=timeout, interval=0.25, what=f"{primary.name} leading the cluster")
            timeline = f" (timeline {found['TL']})" if isinstance(found.get("TL"), int) else ""
            ctx.log(f"{found['Member']} is the leader{timeline}", node=primary.node.ip)

        def start_replicas(ctx):
            parallel.each(replicas, lambda instance: start_patroni(ctx, instance))
            if not replicas:
                return
            names = {i.name for i in replicas}
            wait_for(lambda: names <= {k for k, v in replication_states(primary.node).items() if v == "streaming"},
                     timeout=180, interval=0.25, what=f"replicas {', '.join(sorted(names))} streaming from {primary.name}")
            ctx.log(f"{len(names)} replica(s) streaming", node=primary.node.ip)

        def pooler_and_router(ctx):
            """pgBouncer, then HAProxy, on every member: both are installed (supervisord starts them) before
            waiting for either, so their start-up waits overlap."""
            names = ("pgbouncer", "haproxy")

            def one(node):
                installed = {name: members.install(ctx, node, name) for name in names}
                for name in names:
                    members.ensure_running(ctx, node, name, changed_files[node.ip][name], installed[name])
            parallel.each(nodes, one)

        def roles_and_databases(ctx):
            converge_roles_and_databases(ctx, cluster, primary.node)

        def stanza(ctx):
            ensure_stanza(ctx, cluster, primary.node)

        def verify(ctx):
            state = record_live_state(cluster)
            fail_unless(state.get("leader") == primary.name,
                        f"Patroni reports leader {state.get('leader')!r}, expected {primary.name}")

            def services_up(node):
                return ssh.run(node, ssh.build("pg_isready", "-h", node.ip, "-p", "5433", "-t", "3"),
                               check=False, timeout=15).exit_code == 0
            wait_for(lambda: all(parallel.each(nodes, services_up)), timeout=60,
                     what="service 5433 answering on every member")
            cluster.status = "running"
            cluster.last_applied = timezone.now()
            cluster.save(update_fields=["status", "last_applied", "last_updated"])
            ctx.result["members"] = state["members"]
            ctx.log("all members up; service 5433 answers on every member")

        return [
            Step("check nodes and packages", check),
            Step("write configuration files", configure),
            Step("start Patroni on the primary", start_primary),
            Step("start replicas and wait for streaming", start_replicas),
            Step("apply Patroni dynamic configuration", lambda ctx: converge_dynamic(ctx, cluster, primary)),
            Step("start pgBouncer and HAProxy services", pooler_and_router),
            Step("create roles, users and databases", roles_and_databases),
            Step("create pgBackRest stanza and check archiving", stanza),
            Step("verify and record live state", verify),
        ]
