"""Console pages of point-in-time restores: the request form (the time picker bounded by the recovery window),
the history with the approval queue (approve or reject with a comment; never one's own request) and a failed
restore run again, through the same rules as the API (backups.restores)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backups import restores
from backups.models import RESTORE_MODES, RESTORE_TARGETS, BackupCatalog, RestoreRequest
from clusters.access.roles import APPROVE, CHANGE, access_of
from clusters.access.scope import get_scoped_or_404, require_somewhere, scoped
from clusters.models import Node, PGCluster
from rdsconsole.console import as_pk

FIELDS = ("target_type", "target", "mode", "new_cluster", "confirm", "reason")
SHOWN_BY_FIELD = {*FIELDS, "cluster", "inclusive", "nodes"}  # the rest are listed above the form


def _form_context(request, cluster, form=None, errors=None) -> dict:
    catalog = BackupCatalog.objects.filter(cluster=cluster).first() if cluster else None
    return {
        "clusters": scoped(PGCluster.objects.filter(status="running"), request.user, CHANGE).order_by("name"),
        "cluster": cluster,
        "catalog": catalog, "form": form or {}, "errors": errors or {},
        "other_errors": {key: value for key, value in (errors or {}).items() if key not in SHOWN_BY_FIELD},
        "targets": [t for t, _ in RESTORE_TARGETS], "modes": [m for m, _ in RESTORE_MODES],
        "free_nodes": Node.objects.filter(deployment=cluster.deployment, pg_instances__isnull=True).order_by("ip")
        if cluster else [],
    }


@login_required
def restore_new(request):
    source = request.POST if request.method == "POST" else request.GET
    cluster = scoped(PGCluster.objects.select_related("deployment"), request.user) \
        .filter(pk=as_pk(source.get("cluster"))).first()
    if request.method != "POST":
        return render(request, "backups/restore_form.html", _form_context(request, cluster))
    require_somewhere(request.user, CHANGE)
    if cluster is None:
        return render(request, "backups/restore_form.html",
                      _form_context(request, None, request.POST, {"cluster": ["choose the cluster to restore"]}),
                      status=400)
    values = {name: request.POST.get(name, "") for name in FIELDS}
    try:
        restores.create(request.user, cluster, inclusive=not request.POST.get("exclusive"),
                        nodes=request.POST.getlist("nodes"), **values)
    except restores.RestoreRefused as exc:
        return render(request, "backups/restore_form.html",
                      _form_context(request, cluster, request.POST, exc.errors), status=400)
    return redirect("restore-list")


@login_required
def restore_list(request, problem: str = "", status: int = 200):
    items = scoped(RestoreRequest.objects.select_related("cluster", "new_cluster", "requested_by", "job"),
                   request.user).prefetch_related("decisions").order_by("-created")[:100]
    access = access_of(request.user)
    for item in items:
        restores.expire_if_overdue(item)
        restores.follow_job(item)
        item.can_decide = access.can(APPROVE, item.cluster.deployment_id)
        item.can_retry = access.can(CHANGE, item.cluster.deployment_id)
    return render(request, "backups/restore_list.html", {
        "items": items, "problem": problem,
    }, status=status)


@login_required
@require_POST
def restore_decide(request, pk: int, decision: str):
    get_scoped_or_404(RestoreRequest.objects.all(), request.user, pk=pk)
    decide = {"approve": restores.approve, "reject": restores.reject}.get(decision)
    if decide is None:
        return restore_list(request, f"no decision {decision!r}", status=404)
    return _list_after(request, lambda: decide(pk, request.user, request.POST.get("comment", "")))


@login_required
@require_POST
def restore_retry(request, pk: int):
    get_scoped_or_404(RestoreRequest.objects.all(), request.user, pk=pk)
    return _list_after(request, lambda: restores.retry(pk, request.user))


def _list_after(request, change):
    """Back to the list after `change`, or the list with the refusal (403, or 409)."""
    try:
        change()
    except restores.RestoreForbidden as exc:
        return restore_list(request, str(exc), status=403)
    except restores.RestoreConflict as exc:
        return restore_list(request, str(exc), status=409)
    return redirect("restore-list")
