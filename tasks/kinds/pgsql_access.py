"""Users and databases of a running PGSQL cluster: create and alter them as the spec says (owner, connection
limit, password, roles, expiry, schemas, extensions), drop the ones removed with a confirmation, then write
pgBouncer's user list, HBA and database list on every member and reload pgBouncer where they changed.

Params: `drop_users` and `drop_databases` (names removed from the spec; dropped on the cluster, databases
first, since a user that still owns one cannot be dropped)."""
from clusters.models import PGCluster
from tasks.jobs import JobFailed, JobKind, Step, register
from tasks.operations import databases, parallel, psql, roles
from tasks.operations.livestate import live_primary
from tasks.render import render_pgbouncer_hba, render_pgbouncer_userlist

from . import members
from .spec import DEFAULT_ROLE_NAMES, cluster_spec_errors, system_passwords


def run_planned(ctx, node, statements, db: str = "postgres"):
    """Run planned (statement, description) pairs in `db`; note each description as a change."""
    if not statements:
        return
    psql.execute(node, [s for s, _ in statements], db=db, secrets=ctx.secrets)
    for _, description in statements:
        if description:
            ctx.note_change(description, node=node.ip)


def converge_roles_and_databases(ctx, cluster, node):
    """Default roles, system users, business users, then databases with their schemas and extensions, on the
    primary's node: only what differs is changed."""
    current = {r["name"]: r for r in psql.query_json(node, roles.STATE_SQL) or []}
    specs = roles.default_roles(system_passwords(cluster)) + [roles.from_user(u) for u in cluster.users.all()]
    statements = []
    for spec in specs:
        statements += roles.plan(spec, current.get(spec.name))
    run_planned(ctx, node, statements)
    current_dbs = {d["name"]: d for d in psql.query_json(node, databases.STATE_SQL) or []}
    for db in cluster.databases.all():
        run_planned(ctx, node, databases.plan(db, current_dbs.get(db.name)))
        inside = psql.query_json(node, databases.INSIDE_SQL, db=db.name)
        run_planned(ctx, node, databases.plan_inside(db, inside), db.name)


PROTECTED_DATABASES = {"postgres", "template0", "template1"}


@register
class PGSQLAccess(JobKind):
    name = "pgsql.access"
    target_model = PGCluster

    def validate(self, cluster, params):
        errors = cluster_spec_errors(cluster)
        if not errors and cluster.status != "running":
            errors["status"] = [f"{cluster.name} is {cluster.status}; users and databases change on a running "
                                f"cluster (apply creates them with the cluster)"]
        for key, protected in (("drop_users", DEFAULT_ROLE_NAMES), ("drop_databases", PROTECTED_DATABASES)):
            refused = sorted(set(params.get(key) or []) & protected)
            if refused:
                errors[key] = [f"{', '.join(refused)}: managed by rdsconsole, never dropped"]
        return errors

    def secrets(self, cluster):
        return list(system_passwords(cluster).values()) + [u.password for u in cluster.users.all() if u.password]

    def steps(self, ctx):
        cluster = ctx.target
        instances = list(cluster.instances.select_related("node").order_by("pg_seq"))
        found = {}

        def check(ctx):
            found["leader"] = live_primary(cluster, instances)
            if found["leader"] is None:
                raise JobFailed(f"{cluster.name} has no running leader now; users and databases change on the "
                                f"primary")
            ctx.log(f"changing users and databases on {found['leader'].name}", node=found["leader"].node.ip)

        def drop(ctx):
            node = found["leader"].node
            for name in ctx.params.get("drop_databases") or []:
                run_planned(ctx, node, databases.drop(name))
            for name in ctx.params.get("drop_users") or []:
                run_planned(ctx, node, roles.drop(name))

        def converge(ctx):
            converge_roles_and_databases(ctx, cluster, found["leader"].node)

        def pooler(ctx):
            userlist, pgb_hba = render_pgbouncer_userlist(cluster), render_pgbouncer_hba(cluster)

            def one(instance):
                if members.write_pgbouncer_files(ctx, instance, userlist, pgb_hba):
                    members.reload(ctx, instance.node, "pgbouncer", "user or database list changed")
            parallel.each(instances, one)

        steps = [Step("check the leader", check)]
        if ctx.params.get("drop_databases") or ctx.params.get("drop_users"):
            steps.append(Step("drop removed databases and users", drop))
        return steps + [Step("create or alter users and databases", converge),
                        Step("update pgBouncer's lists and reload it", pooler)]
