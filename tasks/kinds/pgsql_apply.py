"""Create (or converge) a PGSQL cluster: configs → Patroni primary → replicas streaming → pgBouncer → HAProxy
services → default roles, users and databases → pgBackRest stanza → live state recorded.
Every step compares before acting, so a re-run on a healthy cluster reports no change."""
import json

from django.utils import timezone

from clusters.models import PGCluster
from tasks import services, ssh
from tasks.jobs import JobKind, Step, register
from tasks.operations import databases, packages, parallel, psql, roles
from tasks.operations.livestate import record_live_state
from tasks.operations.patroni import leader, members as patroni_members, wait_for
from tasks.render import (render_haproxy, render_patroni, render_pgbackrest, render_pgbouncer_hba,
                          render_pgbouncer_ini, render_pgbouncer_userlist)
from tasks.render.programs import program

from .common import fail_unless, mkdirs, reach_all, write
from .spec import cluster_spec_errors, ensure_cluster_passwords, system_passwords

PG_DIRS = ["/pg", "/pg/data", "/pg/backup", "/pg/log", "/var/log/postgresql"]


def pg_programs(version):
    return {path.format(v=version): pkg.format(v=version) for path, pkg in packages.PGSQL_PROGRAMS.items()}


def replication_states(node) -> dict:
    rows = psql.query_json(node, "SELECT coalesce(json_object_agg(application_name, state), '{}') "
                                 "FROM pg_stat_replication") or {}
    return rows


def stanza_exists(info_json: str, stanza: str) -> bool:
    """From `pgbackrest info --output=json`: status 1 is "missing stanza path"; 0 ok, 2 "no valid backups"."""
    try:
        entries = json.loads(info_json or "[]")
    except ValueError:
        return False
    return any(e.get("name") == stanza and e.get("status", {}).get("code") != 1 for e in entries)


@register
class PGSQLApply(JobKind):
    name = "pgsql.apply"
    target_model = PGCluster

    def validate(self, cluster, params):
        return cluster_spec_errors(cluster)

    def secrets(self, cluster):
        values = list(system_passwords(cluster).values())
        values += [u.password for u in cluster.users.all() if u.password]
        return values

    def steps(self, ctx):
        cluster = ctx.target
        instances = list(cluster.instances.select_related("node").order_by("pg_seq"))
        primary = next(i for i in instances if i.pg_role == "primary")
        replicas = [i for i in instances if i is not primary]
        nodes = [i.node for i in instances]
        changed_files = {}

        def check(ctx):
            ensure_cluster_passwords(cluster)
            for value in system_passwords(cluster).values():
                ctx.add_secret(value)
            cluster.status = "provisioning"
            cluster.save(update_fields=["status", "last_updated"])
            reach_all(ctx, nodes, pg_programs(cluster.pg_version))

        def configure(ctx):
            userlist = render_pgbouncer_userlist(cluster)
            pgb_hba = render_pgbouncer_hba(cluster)

            def one(instance):
                node = instance.node
                mkdirs(node, PG_DIRS, owner="postgres")
                mkdirs(node, ["/etc/patroni", "/etc/pgbouncer", "/etc/pgbackrest"], owner="postgres", mode="0750")
                files = {
                    "patroni": write(ctx, node, "/etc/patroni/patroni.yml", render_patroni(instance),
                                     owner="postgres", mode=0o600),
                    "pgbouncer": any([
                        write(ctx, node, "/etc/pgbouncer/pgbouncer.ini", render_pgbouncer_ini(instance),
                              owner="postgres", mode=0o600),
                        write(ctx, node, "/etc/pgbouncer/userlist.txt", userlist, owner="postgres", mode=0o600),
                        write(ctx, node, "/etc/pgbouncer/pgb_hba.conf", pgb_hba, owner="postgres", mode=0o600),
                    ]),
                    "haproxy": write(ctx, node, "/etc/haproxy/haproxy.cfg", render_haproxy(instance), mode=0o600),
                    "pgbackrest": write(ctx, node, "/etc/pgbackrest/pgbackrest.conf", render_pgbackrest(instance),
                                        owner="postgres", mode=0o600),
                }
                changed_files[node.ip] = files
            parallel.each(instances, one)

        def start_patroni(ctx, instance):
            node = instance.node
            svc = services.for_node(node)
            if svc.install(program("patroni")) == "changed":
                ctx.note_change("installed service patroni", node=node.ip)
            if not svc.is_running("patroni"):
                svc.start("patroni")
                ctx.note_change("started patroni", node=node.ip)
            elif changed_files[node.ip]["patroni"]:
                svc.reload("patroni")
                ctx.log("reloaded patroni (configuration changed)", node=node.ip)

        def start_primary(ctx):
            start_patroni(ctx, primary)
            timeout = 120
            found = wait_for(lambda: (lambda m: m if m and m.get("Member") == primary.name and
                                      m.get("State") == "running" else None)(leader(patroni_members(primary.node))),
                             timeout=timeout, what=f"{primary.name} leading the cluster")
            ctx.log(f"{found['Member']} is the leader (timeline {found.get('TL')})", node=primary.node.ip)

        def start_replicas(ctx):
            parallel.each(replicas, lambda instance: start_patroni(ctx, instance))
            if not replicas:
                return
            names = {i.name for i in replicas}
            wait_for(lambda: names <= {k for k, v in replication_states(primary.node).items() if v == "streaming"},
                     timeout=180, what=f"replicas {', '.join(sorted(names))} streaming from {primary.name}")
            ctx.log(f"{len(names)} replica(s) streaming", node=primary.node.ip)

        def start_simple(ctx, name, spec):
            def one(node):
                svc = services.for_node(node)
                if svc.install(spec) == "changed":
                    ctx.note_change(f"installed service {name}", node=node.ip)
                if not svc.is_running(name):
                    svc.start(name)
                    ctx.note_change(f"started {name}", node=node.ip)
                elif changed_files[node.ip][name]:
                    svc.reload(name)
                    ctx.log(f"reloaded {name} (configuration changed)", node=node.ip)
            parallel.each(nodes, one)

        def pgbouncer(ctx):
            start_simple(ctx, "pgbouncer", program("pgbouncer"))

        def haproxy(ctx):
            start_simple(ctx, "haproxy", program("haproxy"))

        def roles_and_databases(ctx):
            node = primary.node
            current = {r["name"]: r for r in psql.query_json(node, roles.STATE_SQL) or []}
            specs = roles.default_roles(system_passwords(cluster)) + [roles.from_user(u) for u in cluster.users.all()]
            statements = []
            for spec in specs:
                statements += roles.plan(spec, current.get(spec.name))
            run_planned(ctx, node, statements, "postgres")
            current_dbs = {d["name"]: d for d in psql.query_json(node, databases.STATE_SQL) or []}
            for db in cluster.databases.all():
                run_planned(ctx, node, databases.plan(db, current_dbs.get(db.name)), "postgres")
                inside = psql.query_json(node, databases.INSIDE_SQL, db=db.name)
                run_planned(ctx, node, databases.plan_inside(db, inside), db.name)

        def run_planned(ctx, node, statements, db):
            if not statements:
                return
            psql.execute(node, [s for s, _ in statements], db=db, secrets=ctx.secrets)
            for _, description in statements:
                if description:
                    ctx.note_change(description, node=node.ip)

        def stanza(ctx):
            node = primary.node
            info = ssh.run(node, ssh.build("runuser", "-u", "postgres", "--", "pgbackrest", f"--stanza={cluster.name}",
                                           "--output=json", "info"), check=False, timeout=60)
            if stanza_exists(info.stdout, cluster.name):
                ctx.log(f"pgBackRest stanza {cluster.name} exists", node=node.ip)
                return
            ssh.run(node, ssh.build("runuser", "-u", "postgres", "--", "pgbackrest", f"--stanza={cluster.name}",
                                    "stanza-create"), timeout=120)
            ctx.note_change(f"created pgBackRest stanza {cluster.name}", node=node.ip)

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
            Step("start pgBouncer", pgbouncer),
            Step("start HAProxy services", haproxy),
            Step("create roles, users and databases", roles_and_databases),
            Step("create pgBackRest stanza", stanza),
            Step("verify and record live state", verify),
        ]
