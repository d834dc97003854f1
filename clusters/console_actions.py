"""The cluster page's buttons: each posts a small form here and starts the same job the API would, with the same
checks. Success leads to the job's page; a refusal shows the cluster page again with the reasons next to the
form that caused them (400), a busy cluster names the job that holds it (409). Destructive ones (destroy,
remove a replica) need the name typed again, as in the API."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from clusters.models import Node, PGCluster, PGInstance
from clusters.views import cluster_detail
from tasks.jobs import JobConflict, launch


def _optional(form, *names) -> dict:
    return {name: form[name] for name in names if form.get(name)}


def _node_id(cluster, ip: str):
    node = Node.objects.filter(deployment=cluster.deployment, ip=ip).first() if ip else None
    if node is None:
        raise ValidationError({"node": [f"choose a node of deployment {cluster.deployment.name}"]})
    return node.pk


def _add_replica(cluster, form):
    node = Node.objects.filter(deployment=cluster.deployment, ip=form.get("ip", "")).first()
    if node is None:
        raise ValidationError({"ip": [f"choose a free node of deployment {cluster.deployment.name}"]})
    seq = max((i.pg_seq for i in cluster.instances.all()), default=0) + 1
    PGInstance.objects.create(cluster=cluster, node=node, pg_seq=seq, pg_role="replica")
    return {"instance": f"{cluster.name}-{seq}"}


def _configure(cluster, form):
    cluster.pg_rto = form.get("pg_rto", "")
    cluster.save()
    return {"changed": ["pg_rto"]}


# action → (job kind, params from the form and the cluster; may change the spec in the same transaction)
ACTIONS = {
    "apply": ("pgsql.apply", lambda c, f: {}),
    "switchover": ("pgsql.switchover", lambda c, f: _optional(f, "candidate")),
    "backup": ("pgsql.backup", lambda c, f: {"type": f.get("type") or "incr"}),
    "restore-drill": ("pgsql.restore_drill", lambda c, f: {"node": _node_id(c, f.get("node", ""))}),
    "restart": ("pgsql.restart", lambda c, f: {**_optional(f, "instance"),
                                               **({"pending_only": True} if f.get("pending_only") else {})}),
    "reload": ("pgsql.reload", lambda c, f: _optional(f, "instance")),
    "reinit": ("pgsql.reinit", lambda c, f: {"instance": f.get("instance", "")}),
    "add-replica": ("pgsql.add_replica", _add_replica),
    "remove-replica": ("pgsql.remove_replica", lambda c, f: {"instance": f.get("instance", ""),
                                                             "confirm": f.get("confirm", "")}),
    "configure": ("pgsql.configure", _configure),
    "hba-apply": ("pgsql.configure", lambda c, f: {"changed": ["hba_rules"]}),
    "destroy": ("pgsql.destroy", lambda c, f: {"confirm": f.get("confirm", "")}),
}


@login_required
@require_POST
def cluster_action(request, pk: int, action: str):
    cluster = get_object_or_404(PGCluster, pk=pk)
    if action not in ACTIONS:
        return cluster_detail(request, pk, action_errors={action: {"action": [f"no action {action!r}"]}},
                              status=404)
    kind, params_for = ACTIONS[action]
    try:
        with transaction.atomic():
            job = launch(kind, cluster, user=request.user, params=params_for(cluster, request.POST))
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"action": exc.messages}
        return cluster_detail(request, pk, action_errors={action: errors}, status=400)
    except JobConflict as exc:
        return cluster_detail(request, pk, action_errors={action: {"busy": [str(exc)]}},
                              busy_job=exc.running_job, status=409)
    return redirect("job-detail", pk=job.pk)
