"""Restarting, reloading and reinitializing members of a running PGSQL cluster through Patroni's REST API.

- pgsql.restart: one instance (`instance`), or the whole cluster rolling: replicas one at a time (each back and
  streaming before the next), then a switchover to a restarted replica, then the old primary. `pending_only`
  restarts only members Patroni marks as waiting for a restart.
- pgsql.reload: PostgreSQL re-reads its configuration on one instance or every member.
- pgsql.reinit: a replica is rebuilt from the primary (its data directory wiped, a new base backup taken).
"""
from clusters.models import PGCluster
from tasks.jobs import JobFailed, JobKind, Step, register
from tasks.operations.livestate import read_members, record_live_state, replication_states
from tasks.operations.patroni import answer, leader as patroni_leader, request, wait_for

from .pgsql_switchover import PGSQLSwitchover
from .spec import cluster_spec_errors, system_passwords

BACK_TIMEOUT = 300


def instance_errors(cluster, params, replica_only=False) -> dict:
    """Problems of the `instance` parameter: unknown name, or (with replica_only) the current leader."""
    name = params.get("instance")
    if not name:
        return {"instance": ["name the replica, e.g. {\"instance\": \"%s-2\"}" % cluster.name]} if replica_only else {}
    names = sorted(i.name for i in cluster.instances.all())
    if name not in names:
        return {"instance": [f"no instance named {name} in {cluster.name} (one of {', '.join(names)})"]}
    if replica_only and cluster.live_leader == name:
        return {"instance": [f"{name} is the primary now; switch over first, then reinitialize it as a replica"]}
    return {}


def running_errors(cluster) -> dict:
    errors = cluster_spec_errors(cluster)
    if not errors and cluster.status != "running":
        errors["status"] = [f"{cluster.name} is {cluster.status}; this operation needs a running cluster"]
    return errors


class MemberJob(JobKind):
    """Shared by the kinds of this module: a running cluster, an optional `instance`, Patroni's password."""

    target_model = PGCluster
    replica_only = False

    def validate(self, cluster, params):
        return running_errors(cluster) or instance_errors(cluster, params, self.replica_only)

    def secrets(self, cluster):
        return list(system_passwords(cluster).values())


def patroni_call(cluster, instance, method: str, path: str, body=None, timeout: float = 180) -> str:
    """Call Patroni on the instance's node; its answer, or JobFailed naming the member and what Patroni said."""
    status, text = answer(request(instance.node, method, path, system_passwords(cluster)["patroni_password"], body,
                                  timeout=timeout))
    if status not in (200, 202):
        raise JobFailed(f"Patroni on {instance.name} answered {path} with HTTP {status}: {text.strip()[:300]}",
                        node=instance.node.ip)
    return text.strip()


def wait_back(ctx, cluster, instance, leader_name: str):
    """Until the member runs again and, when it is a replica, streams from the leader."""
    instances = list(cluster.instances.select_related("node"))
    leader = next(i for i in instances if i.name == leader_name)

    def back():
        member = next((m for m in read_members(instances) if m["Member"] == instance.name), {})
        if member.get("State") != "running":
            return False
        return instance.name == leader_name or replication_states(leader.node).get(instance.name) == "streaming"
    wait_for(back, timeout=BACK_TIMEOUT, interval=0.5, what=f"{instance.name} running again"
             + ("" if instance.name == leader_name else f" and streaming from {leader_name}"))
    ctx.log(f"{instance.name} is back" + ("" if instance.name == leader_name else ", streaming"),
            node=instance.node.ip)


@register
class PGSQLRestart(MemberJob):
    name = "pgsql.restart"
    capability = "operate"

    def steps(self, ctx):
        cluster = ctx.target
        by_name = {i.name: i for i in cluster.instances.select_related("node")}
        state = {}

        def restart(ctx, name):
            instance = by_name[name]
            if ctx.params.get("pending_only") and not pending(name):
                ctx.log(f"{name} has no pending restart (any more); left running", node=instance.node.ip)
                return
            body = {"restart_pending": True} if ctx.params.get("pending_only") else {}
            said = patroni_call(cluster, instance, "POST", "/restart", body)
            ctx.note_change(f"restarted {name} (Patroni: {said})", node=instance.node.ip)
            wait_back(ctx, cluster, instance, state["leader"])

        def pending(name) -> bool:
            """Asked just before each restart: a switchover restarts the old primary as a replica, which
            applies what was pending there."""
            return any(m["Member"] == name and m.get("Pending restart") for m in read_members(list(by_name.values())))

        def check(ctx):
            live = record_live_state(cluster)
            found = patroni_leader(live["members"])
            if not found or found.get("State") != "running":
                raise JobFailed(f"{cluster.name} has no running leader now; restart needs one")
            state["leader"] = found["Member"]
            state["replicas"] = sorted(n for n in by_name if n != state["leader"])
            ctx.log(f"leader {state['leader']}; replicas {', '.join(state['replicas']) or 'none'}")

        if ctx.params.get("instance"):
            return [Step("check the leader", check),
                    Step(f"restart {ctx.params['instance']}", lambda ctx: restart(ctx, ctx.params["instance"]))]

        def replicas_first(ctx):
            for name in state["replicas"]:
                restart(ctx, name)

        def old_primary(ctx):
            old = state["leader"]
            state["leader"] = record_live_state(cluster)["leader"]
            restart(ctx, old)

        ctx.params.setdefault("candidate", None)
        steps = [Step("check the leader", check), Step("restart the replicas one by one", replicas_first)]
        if len(by_name) > 1:
            steps += PGSQLSwitchover().steps(ctx)  # its event names this job
        else:
            ctx.log("a single-member cluster restarts its primary in place (a write outage)", level="warning")
        return steps + [Step("restart the old primary", old_primary),
                        Step("record live state", lambda ctx: record_live_state(cluster))]


@register
class PGSQLReload(MemberJob):
    name = "pgsql.reload"
    capability = "operate"

    def steps(self, ctx):
        cluster = ctx.target
        instances = [i for i in cluster.instances.select_related("node")
                     if not ctx.params.get("instance") or i.name == ctx.params["instance"]]

        def reload(ctx):
            for instance in instances:
                said = patroni_call(cluster, instance, "POST", "/reload", timeout=60)
                ctx.log(f"reloaded {instance.name} (Patroni: {said})", node=instance.node.ip)
        return [Step("reload PostgreSQL through Patroni", reload)]


@register
class PGSQLReinit(MemberJob):
    name = "pgsql.reinit"
    replica_only = True

    def steps(self, ctx):
        cluster = ctx.target
        instance = next(i for i in cluster.instances.select_related("node") if i.name == ctx.params["instance"])
        state = {}

        def check(ctx):
            live = record_live_state(cluster)
            if live["leader"] in (None, instance.name):
                raise JobFailed(f"{instance.name} is not a replica of a running leader now (leader: "
                                f"{live['leader'] or 'none'})")
            state["leader"] = live["leader"]

        def reinit(ctx):
            said = patroni_call(cluster, instance, "POST", "/reinitialize", {"force": True}, timeout=60)
            ctx.note_change(f"reinitializing {instance.name} from {state['leader']} (Patroni: {said})",
                            node=instance.node.ip)
            wait_back(ctx, cluster, instance, state["leader"])
            record_live_state(cluster)
        return [Step("check the replica and its leader", check),
                Step("rebuild the replica from the primary", reinit)]
