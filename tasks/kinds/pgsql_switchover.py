"""Planned switchover of a PGSQL cluster through Patroni's REST API, with HAProxy steered by the job: new
connections to the old primary are drained (they queue in HAProxy) before Patroni demotes it, and the new
primary is put into every member's writer services the moment Patroni promotes it, instead of after
rise × fastinter health checks. Optional `candidate` (a healthy streaming replica; the healthiest one when
omitted) and `scheduled_at` (ISO 8601, in the future). Reports the old and new primary and the write outage."""
import threading
import time
from datetime import timedelta
from typing import NamedTuple

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from psycopg import sql

from clusters.models import ClusterEvent, PGCluster
from tasks import ssh
from tasks.jobs import JobFailed, JobKind, Step, register
from tasks.operations import haproxy, parallel, psql
from tasks.operations.livestate import record_live_state, replication_states
from tasks.operations.patroni import PORT, members as patroni_members, request as patroni_request, wait_for
from tasks.render.context import system_passwords

from .pgsql_apply import ensure_stanza

HEALTHY_REPLICA_STATES = {"streaming"}
PASSING_STATES = {"streaming", "running", "starting"}  # a replica in these may be streaming, caught up, in a moment
SETTLE_REQUEST = 5.0  # how long a switchover request waits for a replica's health to clear before refusing
SETTLE_JOB = 30.0  # the same in the job's first step, since the request was accepted
MAX_SCHEDULE = timedelta(days=7)


class Choice(NamedTuple):
    """The replica to promote, or why there is none; `may_pass` when the only trouble is a replica's health that
    can clear by itself in a moment (reconnecting, or catching up a lag)."""

    candidate: str | None
    problem: str | None = None
    may_pass: bool = False


def choose_candidate(cluster, state: dict, candidate: str | None) -> Choice:
    """The choice of the replica to promote, from the live state just recorded."""
    leader = state.get("leader")
    if not leader:
        return Choice(None, f"{cluster.name} has no leader now; a switchover needs a running primary")
    instances = {i.name: i for i in cluster.instances.all()}

    def eligible(instance):
        return instance.live_role == "replica" and not (instance.vars or {}).get("nofailover")

    def healthy(instance):
        lag_ok = instance.live_lag_mb is not None and instance.live_lag_mb * 1048576 <= cluster.pg_rpo
        return eligible(instance) and instance.live_state in HEALTHY_REPLICA_STATES and lag_ok

    def may_pass(instance):
        return eligible(instance) and instance.live_state in PASSING_STATES

    def condition(instance):
        lag = "unknown" if instance.live_lag_mb is None else f"{instance.live_lag_mb:g} MB"
        tagged = ", tagged nofailover" if (instance.vars or {}).get("nofailover") else ""
        return f"role {instance.live_role or 'unknown'}, state {instance.live_state or 'unknown'}, lag {lag}{tagged}"

    allowed = f"pg_rpo allows {cluster.pg_rpo} bytes"
    if candidate:
        instance = instances.get(candidate)
        if instance is None:
            return Choice(None, f"no instance named {candidate} in {cluster.name} "
                                f"(one of {', '.join(sorted(instances))})")
        if candidate == leader:
            return Choice(None, f"{candidate} is already the primary")
        if not healthy(instance):
            return Choice(None, f"{candidate} is not a healthy streaming replica ({condition(instance)}; {allowed})",
                          may_pass(instance))
        return Choice(candidate)
    choices = sorted((i for i in instances.values() if healthy(i)), key=lambda i: (i.live_lag_mb, i.pg_seq))
    if not choices:
        others = {name: i for name, i in sorted(instances.items()) if name != leader}
        described = "; ".join(f"{name}: {condition(i)}" for name, i in others.items())
        return Choice(None, f"{cluster.name} has no healthy streaming replica to switch over to "
                            f"({described or 'no replica'}; {allowed})", any(map(may_pass, others.values())))
    return Choice(choices[0].name)


def settled_choice(cluster, candidate: str | None, settle: float, timeout: float = 10) -> tuple[dict, Choice]:
    """Record the live state and choose; while the only trouble may pass, record and choose again every half second
    for up to `settle` seconds. Right after a WAL switch (every backup ends with one) the replicas are behind by the
    rest of the segment (up to 16 MB) until it reaches them; a replica following a new primary reconnects."""
    deadline = time.monotonic() + settle
    while True:
        state = record_live_state(cluster, timeout=timeout)
        choice = choose_candidate(cluster, state, candidate)
        if choice.problem is None or not choice.may_pass or time.monotonic() >= deadline:
            return state, choice
        time.sleep(0.5)


def wait_primary_command(node, timeout: float) -> str:
    """One remote loop that returns as soon as Patroni on the node answers /primary with 200 (50 ms polls)."""
    url = f"http://{node.ip}:{PORT}/primary"
    rounds = int(timeout / 0.05)
    return ssh.build("sh", "-c", f'i=0; while [ $i -lt {rounds} ]; do '
                                 f'[ "$(curl -s -o /dev/null -m 1 -w "%{{http_code}}" {url})" = 200 ] && exit 0; '
                                 f'i=$((i+1)); sleep 0.05; done; exit 1')


ARCHIVE_BACKLOG_SQL = "SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'"


def wait_for_archive(ctx, node, timeout: float = 30):
    """A primary shuts down only after archiving its WAL backlog: let the archiver catch up first (bounded), so
    the demotion — the write outage — is not spent archiving."""
    backlog = psql.query_json(node, ARCHIVE_BACKLOG_SQL)
    if not backlog:
        return
    ctx.log(f"waiting for the archiver: {backlog} WAL segment(s) not archived yet", node=node.ip)
    try:
        wait_for(lambda: psql.query_json(node, ARCHIVE_BACKLOG_SQL) == 0, timeout=timeout, interval=0.5,
                 what="the WAL archive backlog to clear")
    except TimeoutError as exc:
        ctx.log(f"{exc}; switching over anyway (the demotion will wait for the archiver)", node=node.ip,
                level="warning")


@register
class PGSQLSwitchover(JobKind):
    name = "pgsql.switchover"
    capability = "operate"
    target_model = PGCluster

    def validate(self, cluster, params):
        """Checks the live state now (a replica's passing trouble is given SETTLE_REQUEST seconds to clear); fills
        params["candidate"] with the chosen replica when none was given."""
        errors = {}
        scheduled = params.get("scheduled_at")
        if scheduled:
            when = parse_datetime(str(scheduled))
            if when is None or when.tzinfo is None:
                errors["scheduled_at"] = ["an ISO 8601 time with a time zone, e.g. 2026-12-01T03:00:00Z"]
            elif not timezone.now() < when <= timezone.now() + MAX_SCHEDULE:
                errors["scheduled_at"] = ["must be in the future, at most 7 days ahead"]
        candidate = params.get("candidate")
        if candidate is not None and not isinstance(candidate, str):
            errors["candidate"] = ["an instance name such as pg-test-2"]
            return errors
        if cluster.status != "running":
            errors["cluster"] = [f"{cluster.name} is {cluster.status}; apply it before switching over"]
            return errors
        try:
            _, choice = settled_choice(cluster, candidate or None, SETTLE_REQUEST, timeout=5)
        except Exception as exc:  # noqa: BLE001  (any failure to read the state refuses the request)
            errors["cluster"] = [f"cannot read Patroni's state of {cluster.name}: {exc}"]
            return errors
        if choice.problem:
            errors["candidate"] = [choice.problem]
        else:
            params["candidate"] = choice.candidate
        return errors

    def secrets(self, cluster):
        return list(system_passwords(cluster).values())

    def steps(self, ctx):
        cluster = ctx.target
        instances = {i.name: i for i in cluster.instances.select_related("node")}
        nodes = [i.node for i in instances.values()]
        moved = {}

        def check(ctx):
            state, choice = settled_choice(cluster, ctx.params["candidate"], SETTLE_JOB)
            if choice.problem:
                raise JobFailed(choice.problem)
            chosen = choice.candidate
            moved.update(old=state["leader"], new=chosen)
            ctx.result.update(old_primary=moved["old"], new_primary=chosen)
            ctx.log(f"switching over from {moved['old']} to {chosen}")
            wait_for_archive(ctx, instances[moved["old"]].node)

        def wait_scheduled(ctx):
            when = parse_datetime(ctx.params["scheduled_at"])
            ctx.log(f"waiting until {when.isoformat()}")
            while timezone.now() < when:
                ctx.check_cancelled()
                time.sleep(min(1.0, max(0.0, (when - timezone.now()).total_seconds())))

        def switch(ctx):
            old, new = instances[moved["old"]], instances[moved["new"]]
            password = system_passwords(cluster)["patroni_password"]
            answer = {}

            def request():
                try:
                    answer["result"] = patroni_request(old.node, "POST", "/switchover", password,
                                                       {"leader": old.name, "candidate": new.name})
                except Exception as exc:  # noqa: BLE001  (re-raised in the step below)
                    answer["error"] = exc

            psql.execute(old.node, [sql.SQL("CHECKPOINT")])  # so the demotion's shutdown checkpoint is short
            ctx.log("checkpoint on the old primary", node=old.node.ip)
            parallel.each(nodes, lambda n: haproxy.send(n, haproxy.drain_writer(cluster, old.name)))
            drained = time.monotonic()
            ctx.log(f"drained {old.name} in the writer services of every member")
            thread = threading.Thread(target=request, name="patroni-switchover")
            thread.start()
            promoted = ssh.run(new.node, wait_primary_command(new.node, 120), check=False, timeout=130)
            if promoted.exit_code == 0:
                parallel.each(nodes, lambda n: haproxy.send(n, haproxy.promote_writer(cluster, old.name, new.name)))
            outage = time.monotonic() - drained
            thread.join()
            answer_text = ("" if "result" not in answer else answer["result"].stdout.rpartition("\n")[0].strip())
            if promoted.exit_code != 0:
                parallel.each(nodes, lambda n: haproxy.send(n, haproxy.promote_writer(cluster, new.name, old.name)))
                reason = answer.get("error") or answer_text or "no answer"
                raise JobFailed(f"{new.name} did not become primary; Patroni answered: {reason}", node=old.node.ip)
            ctx.result["write_outage_s"] = round(outage, 3)
            ctx.note_change(f"primary moved from {old.name} to {new.name} (Patroni: {answer_text or 'no answer'})")
            ctx.log(f"{new.name} serves writes through HAProxy on every member, {outage:.2f} s after the drain")

        def old_streams(ctx):
            old, new = instances[moved["old"]], instances[moved["new"]]

            def patroni_agrees():
                member = next((m for m in patroni_members(new.node) if m["Member"] == old.name), {})
                return member.get("Role") in ("Replica", "Sync Standby") and isinstance(member.get("Lag in MB"), int)

            wait_for(lambda: replication_states(new.node).get(old.name) == "streaming" and patroni_agrees(),
                     timeout=180, interval=0.25, what=f"{old.name} streaming from {new.name}")
            ctx.log(f"{old.name} streams from {new.name}", node=new.node.ip)

        def record(ctx):
            state = record_live_state(cluster)
            if state["leader"] != moved["new"]:
                raise JobFailed(f"Patroni reports leader {state['leader']!r}, expected {moved['new']}")
            timeline = next((m.get("TL") for m in state["members"] if m["Member"] == moved["new"]), None)
            now = timezone.now()
            ClusterEvent.objects.create(
                cluster=cluster, kind="switchover", time=now, job=ctx.job,
                message=(f"switchover: {moved['old']} → {moved['new']} at {now:%Y-%m-%d %H:%M:%S} UTC, timeline "
                         f"{timeline} (write outage {ctx.result['write_outage_s']:.2f} s)"),
                data={"old_primary": moved["old"], "new_primary": moved["new"], "timeline": timeline,
                      "write_outage_s": ctx.result["write_outage_s"]})
            ctx.result["timeline"] = timeline

        steps = [Step("check the leader and the candidate", check)]
        if ctx.params.get("scheduled_at"):
            steps.append(Step("wait for the scheduled time", wait_scheduled))
        return steps + [
            Step("switch over through Patroni, steering HAProxy", switch),
            Step("wait for the old primary to stream from the new one", old_streams),
            Step("archive WAL from the new primary (pgBackRest stanza)",
                 lambda ctx: ensure_stanza(ctx, cluster, instances[moved["new"]].node)),
            Step("record live state and the event", record),
        ]
