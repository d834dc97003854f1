"""The cluster page's buttons: each posts a small form here and starts the same job the API would, with the same
checks (users, databases and HBA rules are edited in the spec too, in the same transaction). Success leads to the job's page; a refusal shows the cluster page again with the reasons next to the
form that caused them (400), a busy cluster names the job that holds it (409). Destructive ones (destroy,
remove a replica) need the name typed again, as in the API."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from clusters.access.roles import CHANGE
from clusters.access.scope import get_scoped_or_404, require
from clusters.models import HBARule, Node, PGCluster, PGDatabase, PGInstance, PGUser
from clusters.views import cluster_detail
from rdsconsole.console import as_ip, as_name, as_pk
from tasks.jobs import JobConflict, get_kind, launch
from tasks.render.hba_lockout import problems as lockout_problems


def _optional(form, *names) -> dict:
    return {name: form[name] for name in names if form.get(name)}


def _node_id(cluster, ip: str):
    node = Node.objects.filter(deployment=cluster.deployment, ip=as_ip(ip)).first() if as_ip(ip) else None
    if node is None:
        raise ValidationError({"node": [f"choose a node of deployment {cluster.deployment.name}"]})
    return node.pk


def _add_replica(cluster, form):
    ip = as_ip(form.get("ip"))
    node = Node.objects.filter(deployment=cluster.deployment, ip=ip).first() if ip else None
    if node is None:
        raise ValidationError({"ip": [f"choose a free node of deployment {cluster.deployment.name}"]})
    seq = max((i.pg_seq for i in cluster.instances.all()), default=0) + 1
    PGInstance.objects.create(cluster=cluster, node=node, pg_seq=seq, pg_role="replica")
    return {"instance": f"{cluster.name}-{seq}"}


def _live(cluster, params=None):
    """Users, databases: a running cluster gets the change through a pgsql.access job; one that does not run
    yet only has its spec edited (None: no job)."""
    return (params or {}) if cluster.status == "running" else None


def _add_user(cluster, form):
    roles = [r.strip() for r in form.get("roles", "").split(",") if r.strip()]
    PGUser(cluster=cluster, name=form.get("name", ""), password=form.get("password", ""), roles=roles,
           pgbouncer=bool(form.get("pgbouncer"))).save()
    return _live(cluster)


def _add_database(cluster, form):
    PGDatabase(cluster=cluster, name=form.get("name", ""), owner=form.get("owner", "")).save()
    return _live(cluster)


def _drop(model, param: str):
    def drop(cluster, form):
        name = as_name(form.get("name"))
        item = model.objects.filter(cluster=cluster, name=name).first()
        if item is None:
            raise ValidationError({"name": [f"{cluster.name} has no {model._meta.verbose_name} {name!r}"]})
        if cluster.status == "running" and form.get("confirm") != name:
            raise ValidationError({"confirm": [f"dropping {name} deletes it on {cluster.name}: type its name to "
                                               f"confirm"]})
        item.delete()
        return _live(cluster, {param: [name]})
    return drop


def _refuse_lockout(cluster):
    found = lockout_problems(cluster)
    if found:
        raise ValidationError({"hba_rules": found})


def _add_hba_rule(cluster, form):
    order = form.get("order", "").strip()
    if order and not order.lstrip("-").isdigit():
        raise ValidationError({"order": [f"{order!r} is not a whole number (Pigsty's rule order, e.g. 800)"]})
    HBARule(deployment=cluster.deployment, cluster=cluster, user=form.get("user", ""), db=form.get("db", ""),
            addr=form.get("addr", ""), auth=form.get("auth", ""), title=form.get("title", ""),
            order=int(order) if order else None).save()
    _refuse_lockout(cluster)
    return None  # rules are written by "Apply HBA rules", after a look at the preview


def _delete_hba_rule(cluster, form):
    rule = HBARule.objects.filter(cluster=cluster, pk=as_pk(form.get("rule"))).first()
    if rule is None:
        raise ValidationError({"rule": ["choose one of the cluster's rules"]})
    rule.delete()
    _refuse_lockout(cluster)
    return None


def _configure(cluster, form):
    cluster.pg_rto = form.get("pg_rto", "")
    cluster.save()
    return {"changed": ["pg_rto"]}


# action → (job kind, params from the form and the cluster; may change the spec in the same transaction, and
# returns None when the change needs no job)
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
    "add-user": ("pgsql.access", _add_user),
    "drop-user": ("pgsql.access", _drop(PGUser, "drop_users")),
    "add-database": ("pgsql.access", _add_database),
    "drop-database": ("pgsql.access", _drop(PGDatabase, "drop_databases")),
    "add-hba-rule": ("", _add_hba_rule),
    "delete-hba-rule": ("", _delete_hba_rule),
}


@login_required
@require_POST
def cluster_action(request, pk: int, action: str):
    cluster = get_scoped_or_404(PGCluster.objects.select_related("deployment"), request.user, pk=pk)
    if action not in ACTIONS:
        return cluster_detail(request, pk, action_errors={action: {"action": [f"no action {action!r}"]}},
                              status=404)
    kind, params_for = ACTIONS[action]
    require(request.user, get_kind(kind).capability if kind else CHANGE, cluster)
    try:
        with transaction.atomic():
            params = params_for(cluster, request.POST)
            job = launch(kind, cluster, user=request.user, params=params) if params is not None else None
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"action": exc.messages}
        return cluster_detail(request, pk, action_errors={action: errors}, status=400)
    except JobConflict as exc:
        return cluster_detail(request, pk, action_errors={action: {"busy": [str(exc)]}},
                              busy_job=exc.running_job, status=409)
    if job is None:  # a change of the spec only
        return redirect("cluster-detail", pk=cluster.pk)
    return redirect("job-detail", pk=job.pk)
