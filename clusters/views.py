"""Console pages of clusters: the list, and a cluster's detail — topology (its members' live state, refreshed
by htmx without reloading the page), services with connection strings, databases, users, HBA rules, backups
and the recovery window, events and jobs."""
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render

from backups.models import Backup, BackupCatalog
from clusters.access.roles import CAPABILITIES, access_of
from clusters.access.scope import get_scoped_or_404, scoped
from clusters.models import Node, PGCluster, PGInstance
from clusters.models.pgsql import RTO_MODES
from rdsconsole.console import current_deployment
from tasks.models import Job
from tasks.render import render_pg_hba_lines, render_pgbouncer_hba
from tasks.render.hba import HBAError
from tasks.render.hba_lockout import problems as lockout_problems

PAGE_SIZE = 50
MEMBERS = Prefetch("instances", queryset=PGInstance.objects.select_related("node").order_by("pg_seq"))


def connection_strings(cluster, user: str, database: str) -> list[dict]:
    """One line per service and for pgBouncer: its port, what it checks, and a libpq URI listing every member
    (a client tries them in turn; each member's HAProxy routes the service to the right instance)."""
    ips = [i.node.ip for i in cluster.instances.all()]

    def uri(port: int) -> str:
        return f"postgres://{user}@{','.join(f'{ip}:{port}' for ip in ips)}/{database}"
    lines = [{"name": svc["cluster_service"], "port": svc["port"], "check": svc.get("check", ""),
              "uri": uri(svc["port"])} for svc in cluster.services()]
    lines.append({"name": f"{cluster.name}-pgbouncer", "port": 6432, "check": "local instance", "uri": uri(6432)})
    return lines


def hba_preview(cluster) -> dict:
    """pg_hba.conf of each member and pgBouncer's HBA as "Apply HBA rules" would write them, and any lock-out."""
    try:
        return {"members": {i.name: render_pg_hba_lines(cluster, i) for i in cluster.instances.all()},
                "pgbouncer": render_pgbouncer_hba(cluster), "problems": lockout_problems(cluster)}
    except HBAError as exc:
        return {"error": str(exc)}


@login_required
def cluster_list(request):
    clusters = scoped(PGCluster.objects.select_related("deployment").prefetch_related(MEMBERS), request.user) \
        .order_by("name", "pk")
    deployment = current_deployment(request)
    if deployment is not None:
        clusters = clusters.filter(deployment=deployment)
    page = Paginator(clusters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "clusters/cluster_list.html", {"clusters": page.object_list, "page": page})


@login_required
def cluster_detail(request, pk: int, action_errors=None, busy_job=None, status=200):
    """The cluster page; after a refused operation (console_actions) it carries that form's errors."""
    cluster = get_scoped_or_404(PGCluster.objects.select_related("deployment").prefetch_related(
        MEMBERS, "databases", "users", "hba_rules", "custom_services"), request.user, pk=pk)
    access = access_of(request.user)
    database = next(iter(cluster.databases.all()), None)
    user = next(iter(cluster.users.all()), None)
    jobs = Job.objects.filter(content_type=ContentType.objects.get_for_model(PGCluster), object_id=cluster.pk)
    return render(request, "clusters/cluster_detail.html", {
        "cluster": cluster,
        "services": connection_strings(cluster, user.name if user else "dbuser_dba",
                                       database.name if database else "postgres"),
        "catalog": BackupCatalog.objects.filter(cluster=cluster).first(),
        "backups": Backup.objects.filter(cluster=cluster)[:20],
        "last_drill": cluster.restore_drills.select_related("node").first(),
        "events": cluster.events.all()[:20],
        "jobs": jobs.select_related("requested_by").order_by("-created")[:20],
        "hba": hba_preview(cluster),
        "free_nodes": Node.objects.filter(deployment=cluster.deployment, pg_instances__isnull=True).order_by("ip"),
        "rto_modes": [mode for mode, _ in RTO_MODES],
        "errors": {key.replace("-", "_"): value for key, value in (action_errors or {}).items()},
        "busy_job": busy_job,
        "form": request.POST if action_errors else {},
        "can": {capability: access.can(capability, cluster.deployment_id) for capability in CAPABILITIES},
    }, status=status)


@login_required
def cluster_members(request, pk: int):
    """The topology table alone: the detail page polls it."""
    cluster = get_scoped_or_404(PGCluster.objects.prefetch_related(MEMBERS), request.user, pk=pk)
    return render(request, "clusters/_members.html", {"cluster": cluster})
