"""Reading live state from Patroni and recording it on the instances: live role, state, timeline, lag.

Patroni before 3.0.4 reports a replica that streams as "running", like one that only replays archived WAL; the
leader's pg_stat_replication tells them apart, so a replica the leader streams to is recorded as "streaming".

The lag of a streaming replica is read there too, in the same query: the bytes between the leader's WAL position
and what the replica has flushed, at one instant. Patroni's "Lag in MB" subtracts the member's position from the
leader's, each published in the DCS on its own loop, so for up to loop_wait after a WAL switch (every backup
makes one) it reads 16 MB per switch on a replica that is fully caught up; it is kept only for members the leader
does not stream to."""
from concurrent.futures import ThreadPoolExecutor, as_completed

from django.utils import timezone

from tasks import ssh
from tasks.operations import psql
from tasks.operations.patroni import leader as patroni_leader, members as patroni_members

ROLE_NAMES = {"Leader": "primary", "Standby Leader": "primary", "Replica": "replica", "Sync Standby": "replica",
              "Quorum Standby": "replica"}


ANSWER_GRACE = 5.0  # beyond the command timeout, before read_members gives up on every member


def read_members(instances, timeout: float = 10) -> list[dict]:
    """Patroni's member listing from whichever member answers first: all are asked at once, so a dead node
    costs nothing while another one answers. Raises the last error when none does, or TimeoutError when none
    answered within `timeout` + a few seconds (a command on a dead node's connection may hang)."""
    if not instances:
        raise ValueError("the cluster has no instances")
    pool = ThreadPoolExecutor(max_workers=len(instances), thread_name_prefix="patroni-state")
    futures = [pool.submit(patroni_members, i.node, timeout, timeout) for i in instances]
    last_error = None
    try:
        for future in as_completed(futures, timeout=timeout + ANSWER_GRACE):
            try:
                return future.result()
            except (ssh.SSHError, ValueError) as exc:
                last_error = exc
    except TimeoutError:
        raise TimeoutError(f"no member of the cluster answered within {timeout + ANSWER_GRACE:g} s"
                           + (f" (last error: {last_error})" if last_error else "")) from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    raise last_error


def live_primary(cluster, instances):
    """The instance Patroni reports as the running leader now, or None when the cluster never ran or no member
    answers: a cluster that switched or failed over keeps its live primary on re-apply."""
    if cluster.status in ("declared", "destroyed"):
        return None
    try:
        found = patroni_leader(read_members(instances, timeout=5))
    except (ssh.SSHError, TimeoutError):
        return None
    if not found or found.get("State") != "running":
        return None
    return next((i for i in instances if i.name == found["Member"]), None)


def record_live_state(cluster, timeout: float = 10) -> dict:
    """Ask Patroni (through the first member that answers) and save each instance's live fields, and the
    cluster's leader when it has one."""
    instances = list(cluster.instances.select_related("node"))
    listing = read_members(instances, timeout)
    by_name = {m["Member"]: m for m in listing}
    leader = next((m["Member"] for m in listing if m.get("Role") in ("Leader", "Standby Leader")), None)
    streaming = set()
    leader_instance = next((i for i in instances if i.name == leader), None)
    if leader_instance is not None and by_name[leader].get("State") == "running":
        try:
            connections = replication_status(leader_instance.node, timeout=timeout, connect_deadline=timeout)
        except (ssh.SSHError, TimeoutError):
            connections = {}  # a leader that just died is still listed until its key expires: streaming unknown
        streaming = {name for name, row in connections.items() if row["state"] == "streaming"}
        flushed_lag = {name: row["lag"] for name, row in connections.items()
                       if name in streaming and row["lag"] is not None}
    now = timezone.now()
    for instance in instances:
        member = by_name.get(instance.name)
        lag = member.get("Lag in MB") if member else None
        instance.live_role = ROLE_NAMES.get(member.get("Role"), "") if member else ""
        instance.live_state = member.get("State", "") if member else "absent"
        if instance.live_role == "replica" and instance.live_state == "running" and instance.name in streaming:
            instance.live_state = "streaming"
        instance.live_timeline = member.get("TL") if member and isinstance(member.get("TL"), int) else None
        if instance.name in flushed_lag and instance.live_role == "replica":
            instance.live_lag_mb = round(max(flushed_lag[instance.name], 0) / 1048576, 3)
        else:
            instance.live_lag_mb = lag if isinstance(lag, (int, float)) else None
        instance.live_updated = now
        instance.save(update_fields=["live_role", "live_state", "live_timeline", "live_lag_mb", "live_updated"])
    if leader and leader != cluster.live_leader:
        cluster.live_leader = leader
        cluster.save(update_fields=["live_leader"])
    return {"leader": leader, "members": listing, "streaming": sorted(streaming)}


REPLICATION_STATUS_SQL = (
    "SELECT coalesce(json_object_agg(application_name, json_build_object("
    "'state', state, 'lag', pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() "
    "ELSE pg_current_wal_lsn() END, flush_lsn))), '{}') FROM pg_stat_replication")


def replication_status(node, timeout: float = 30, connect_deadline: float | None = None) -> dict:
    """{application_name: {"state": …, "lag": bytes not yet flushed by it, or None}} of the replication connections
    on a primary (pg_stat_replication), read in one statement."""
    return psql.query_json(node, REPLICATION_STATUS_SQL, timeout=timeout, connect_deadline=connect_deadline) or {}


def replication_states(node, timeout: float = 30, connect_deadline: float | None = None) -> dict:
    """{application_name: state} of the replication connections on a primary (pg_stat_replication)."""
    return {name: row["state"] for name, row in replication_status(node, timeout, connect_deadline).items()}
