"""The console's dashboard: deployments, clusters with their health (members up, worst lag, age of the last
backup), running jobs, restores waiting for approval and recent failovers — in a fixed number of queries."""
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.shortcuts import render

from backups.models import RestoreRequest
from clusters.models import ClusterEvent, Deployment, Node, PGCluster
from clusters.views import MEMBERS
from tasks.models import ACTIVE_STATUSES, Job

UP_STATES = ("running", "streaming")


def health(cluster) -> dict:
    members = list(cluster.instances.all())
    lags = [i.live_lag_mb for i in members if i.live_lag_mb is not None]
    return {"up": sum(i.live_state in UP_STATES for i in members), "members": len(members),
            "lag_mb": max(lags) if lags else None, "last_backup": cluster.last_backup}


@login_required
def dashboard(request):
    clusters = list(PGCluster.objects.select_related("deployment").prefetch_related(MEMBERS)
                    .annotate(last_backup=Max("backups__stopped_at")))
    return render(request, "dashboard.html", {
        "deployments": Deployment.objects.all(),
        "node_count": Node.objects.count(),
        "clusters": [(cluster, health(cluster)) for cluster in clusters],
        "running_jobs": Job.objects.filter(status__in=ACTIVE_STATUSES).select_related("requested_by")
                                   .order_by("-created")[:20],
        "pending_restores": RestoreRequest.objects.filter(state="pending").select_related("cluster", "requested_by"),
        "failovers": ClusterEvent.objects.filter(kind="failover").select_related("cluster")[:10],
    })
