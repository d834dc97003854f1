"""Failover tracking: read every running cluster's Patroni state, record each instance's live role, state,
timeline and lag, and record a `failover` event when the leader changed without a job that moves leaders.

Clusters are polled at once (a thread each, up to POLL_THREADS), so one slow or dead node delays only its own
cluster; within a cluster every member is asked at once and the first answer wins (livestate.read_members).
"""
import logging
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from clusters.models import ClusterEvent, PGCluster
from tasks.models import Job
from tasks.operations.livestate import record_live_state

POLL_THREADS = 16
# kinds of job that move the leader on purpose and record their own event
LEADER_MOVING_KINDS = {"pgsql.apply", "pgsql.destroy", "pgsql.switchover", "pgsql.restart"}
log = logging.getLogger(__name__)


def leader_moving_job(cluster, since):
    """A job that moves leaders, running now or finished since the poll began (it may have moved the leader
    between the poll's two reads)."""
    return Job.objects.filter(Q(status="running") | Q(finished_at__gte=since), kind__in=LEADER_MOVING_KINDS,
                              content_type__model="pgcluster", object_id=cluster.pk).first()


def poll_cluster(cluster_id: int) -> ClusterEvent | None:
    """Refresh one cluster's live state; the failover event recorded, if the leader moved on its own."""
    started = timezone.now()
    cluster = PGCluster.objects.get(pk=cluster_id)
    previous = cluster.live_leader or next((i.name for i in cluster.instances.all() if i.live_role == "primary"),
                                           None)
    timeline_before = max((i.live_timeline or 0 for i in cluster.instances.all()), default=0)
    state = record_live_state(cluster, timeout=5)
    leader = state["leader"]
    if not previous or not leader or leader == previous or leader_moving_job(cluster, started):
        return None
    timeline = next((m.get("TL") for m in state["members"] if m["Member"] == leader), None)
    if timeline_before and (not isinstance(timeline, int) or timeline <= timeline_before):
        # Patroni names the new leader as soon as it holds the leader key, before its promotion moves it to the
        # next timeline: the event is recorded by a later poll, with the timeline the failover led to
        PGCluster.objects.filter(pk=cluster.pk).update(live_leader=previous)
        return None
    now = timezone.now()
    return ClusterEvent.objects.create(
        cluster=cluster, kind="failover", time=now,
        message=f"failover: {previous} → {leader} at {now:%Y-%m-%d %H:%M:%S} UTC, timeline {timeline}",
        data={"old_primary": previous, "new_primary": leader, "timeline": timeline, "members": state["members"]})


def _poll_one(cluster_id: int):
    try:
        return poll_cluster(cluster_id)
    except Exception as exc:  # noqa: BLE001  (one cluster's failure must not stop the others)
        log.warning("polling cluster %s failed: %s", cluster_id, exc)
        return exc
    finally:
        connection.close()


def poll_clusters() -> dict:
    """Poll every running cluster at once; counts of clusters polled, failed and failover events recorded."""
    ids = list(PGCluster.objects.filter(status="running").values_list("pk", flat=True))
    if not ids:
        return {"polled": 0, "failed": 0, "failovers": 0}
    with ThreadPoolExecutor(max_workers=min(POLL_THREADS, len(ids)), thread_name_prefix="poll") as pool:
        results = list(pool.map(_poll_one, ids))
    return {"polled": len(ids), "failed": sum(isinstance(r, Exception) for r in results),
            "failovers": sum(isinstance(r, ClusterEvent) for r in results)}
