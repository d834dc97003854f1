"""Adding and removing replicas of a running PGSQL cluster.

- pgsql.add_replica (`instance`: the instance just declared on a free node of the deployment): the apply's
  convergence — packages and files on the new node, the other members' HAProxy and pg_hba rewritten and
  reloaded, Patroni started on the new node and waited for until it streams, its pgBouncer and HAProxy up.
- pgsql.remove_replica (`instance`, never the primary): its services, data and files removed from its node, the
  instance forgotten, the other members' HAProxy and pg_hba rewritten and reloaded, and Patroni no longer
  listing it."""
from clusters.models import PGCluster
from tasks.jobs import JobFailed, JobKind, Step, register
from tasks.operations import parallel
from tasks.operations.livestate import read_members, record_live_state
from tasks.operations.patroni import wait_for
from tasks.render import render_pgbouncer_hba, render_pgbouncer_userlist

from . import members
from .pgsql_apply import PGSQLApply
from .pgsql_destroy import remove_services, wipe
from .pgsql_restart import instance_errors, running_errors
from .spec import system_passwords


@register
class PGSQLAddReplica(PGSQLApply):
    name = "pgsql.add_replica"

    def validate(self, cluster, params):
        return running_errors(cluster) or instance_errors(cluster, params)

    def steps(self, ctx):
        instance = next(i for i in ctx.target.instances.select_related("node") if i.name == ctx.params["instance"])
        ctx.log(f"adding {instance.name} ({instance.pg_role}) on {instance.node.ip}: the cluster converges with it")
        return super().steps(ctx)


@register
class PGSQLRemoveReplica(JobKind):
    name = "pgsql.remove_replica"
    target_model = PGCluster

    def validate(self, cluster, params):
        errors = running_errors(cluster) or instance_errors(cluster, params, replica_only=True)
        if errors:
            return errors
        instance = next(i for i in cluster.instances.all() if i.name == params["instance"])
        if instance.pg_role == "primary":
            return {"instance": [f"{instance.name} is the primary of the spec (pg_role); give that role to the "
                                 f"live primary {cluster.live_leader or '(none)'} first"]}
        if params.get("confirm") != instance.name:
            return {"confirm": [f"removing {instance.name} deletes its data; type its name to confirm: "
                                f"{{\"confirm\": \"{instance.name}\"}}"]}
        return {}

    def secrets(self, cluster):
        return list(system_passwords(cluster).values())

    def steps(self, ctx):
        cluster = ctx.target
        instance = next(i for i in cluster.instances.select_related("node") if i.name == ctx.params["instance"])
        node = instance.node

        def check(ctx):
            state = record_live_state(cluster)
            if state["leader"] == instance.name:
                raise JobFailed(f"{instance.name} is the primary now; switch over before removing it")
            ctx.log(f"removing {instance.name} from {cluster.name} (leader {state['leader']})", node=node.ip)

        def remove(ctx):
            remove_services(ctx, node)
            wipe(ctx, node)
            instance.delete()
            ctx.note_change(f"forgot instance {instance.name}")

        def reconfigure(ctx):
            remaining = list(cluster.instances.select_related("node"))
            userlist, pgb_hba = render_pgbouncer_userlist(cluster), render_pgbouncer_hba(cluster)

            def one(other):
                changed = members.write_files(ctx, other, userlist, pgb_hba)
                for name in members.PROGRAMS:
                    if changed[name]:
                        members.reload(ctx, other.node, name)
            parallel.each(remaining, one)
            wait_for(lambda: instance.name not in {m["Member"] for m in read_members(remaining)}, timeout=120,
                     interval=0.5, what=f"Patroni no longer listing {instance.name}")
            record_live_state(cluster)
            ctx.log(f"{instance.name} removed; {len(remaining)} member(s) left")

        return [Step("check that it is a replica", check),
                Step("stop its services and delete its data", remove),
                Step("reconfigure the other members", reconfigure)]
