"""The console's dashboard: deployments, clusters with their health (members up, worst lag, age of the last
backup; those needing attention first, at most 50), running jobs, restores waiting for approval and recent
failovers, all of the user's deployments only. Health is aggregated in SQL, so the page costs the same few queries with 10 clusters or 10,000."""
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, F, Max, OuterRef, Q, Subquery, Value, When
from django.shortcuts import render

from backups.models import Backup, RestoreRequest
from clusters.access.scope import scoped
from clusters.models import ClusterEvent, Deployment, Node, PGCluster
from tasks.models import ACTIVE_STATUSES, Job

UP_STATES = ("running", "streaming")
DASHBOARD_CLUSTERS = 50


def clusters_with_health(clusters):
    """`clusters` annotated with members, members up, worst lag, last backup end, and whether they need attention
    (not running, or a member down)."""
    newest_backup = Backup.objects.filter(cluster=OuterRef("pk")).order_by("-stopped_at").values("stopped_at")[:1]
    return (clusters.select_related("deployment")
            .annotate(members=Count("instances", distinct=True),
                      up=Count("instances", filter=Q(instances__live_state__in=UP_STATES), distinct=True),
                      lag_mb=Max("instances__live_lag_mb"), last_backup=Subquery(newest_backup))
            .annotate(attention=Case(When(~Q(status="running") | Q(up__lt=F("members")), then=Value(True)),
                                     default=Value(False))))


@login_required
def dashboard(request):
    user = request.user
    clusters = clusters_with_health(scoped(PGCluster.objects.all(), user))
    attention = clusters.filter(attention=True).count()
    total = scoped(PGCluster.objects.all(), user).count()
    return render(request, "dashboard.html", {
        "deployments": scoped(Deployment.objects.all(), user),
        "node_count": scoped(Node.objects.all(), user).count(),
        "cluster_count": total, "healthy_count": total - attention,
        "clusters": clusters.order_by("-attention", "name", "pk")[:DASHBOARD_CLUSTERS],
        "running_jobs": scoped(Job.objects.filter(status__in=ACTIVE_STATUSES), user).select_related("requested_by")
                                   .order_by("-created")[:20],
        "pending_restores": scoped(RestoreRequest.objects.filter(state="pending"), user)
                            .select_related("cluster", "requested_by"),
        "failovers": scoped(ClusterEvent.objects.filter(kind="failover"), user).select_related("cluster")[:10],
    })
