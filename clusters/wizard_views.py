"""The console's create-cluster wizard: one form (deployment, name, free nodes with their roles, version, RTO
mode with its bounds, RPO, conf template, a first database and user), checked as you type against the same
rules as the API (its serializer runs without saving), with a summary of the services and connection strings
the cluster will have; Create saves it and starts the apply job, then shows the job."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from clusters.access.drf import restrict_related
from clusters.access.roles import CHANGE
from clusters.access.scope import require, require_somewhere, scoped
from clusters.api.serializers import PGClusterSerializer
from clusters.models import Deployment, Node, PGCluster, PGInstance
from clusters.models.pgsql import CONF_TEMPLATES, DEFAULT_SERVICES
from rdsconsole.console import as_pk
from tasks.jobs import launch
from tasks.render.rto import RTO_PLANS

# Pigsty's passive RTO bounds (min / avg / max seconds) of each mode, from its RTO table
RTO_BOUNDS = {"fast": (16, 23, 29), "norm": (27, 34, 41), "safe": (53, 66, 78), "wide": (104, 127, 150)}
ROLES = ("primary", "replica", "offline")
VERSIONS = (15, 16, 17, 14, 13)


class Rejected(Exception):
    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def spec_from(form) -> dict:
    """The API's cluster body from the wizard's fields; the node roles come as role_<ip> = primary/replica/…"""
    instances = [{"ip": ip, "pg_seq": seq, "pg_role": "replica" if role == "offline" else role,
                  "pg_offline_query": role == "offline"}
                 for seq, (ip, role) in enumerate(
                     [(key[5:], form[key]) for key in sorted(form, key=_ip_order) if key.startswith("role_")
                      and form[key] in ROLES], start=1)]
    spec = {"deployment": form.get("deployment") or None, "name": form.get("name", ""), "instances": instances,
            "pg_version": form.get("pg_version") or 15, "pg_rto": form.get("pg_rto") or "norm",
            "pg_rpo": 0 if form.get("sync") else (form.get("pg_rpo") or 1048576),
            "pg_conf": form.get("pg_conf") or "oltp"}
    if form.get("database"):
        spec["databases"] = [{"name": form["database"], "owner": form.get("user") or None}]
    if form.get("user"):
        spec["users"] = [{"name": form["user"], "password": form.get("password", ""),
                          "roles": ["dbrole_readwrite"], "pgbouncer": True}]
    return spec


def _ip_order(key: str):
    return [int(part) if part.isdigit() else 0 for part in key[5:].replace(":", ".").split(".")]


def flatten(errors, prefix: str = "") -> dict:
    """DRF's nested error structure as {"field" or "instances[0].ip": [messages]}."""
    flat = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(errors, list) and errors and all(isinstance(e, (dict, list)) for e in errors):
        for index, value in enumerate(errors):
            flat.update(flatten(value, f"{prefix}[{index}]"))
    elif errors:
        flat[prefix or "non_field_errors"] = [str(e) for e in (errors if isinstance(errors, list) else [errors])]
    return flat


def check(form, user, save: bool = False):
    """Validate the wizard's spec as the API would (only the user's deployments exist for it); with `save`,
    create it (all or nothing, refused without the dba role there) and return it."""
    serializer = PGClusterSerializer(data=spec_from(form))
    restrict_related(serializer, user)
    if not serializer.is_valid():
        raise Rejected(flatten(serializer.errors))
    roles = [PGInstance(pg_role=i["pg_role"]) for i in serializer.validated_data.get("instances", [])]
    if not roles:
        raise Rejected({"nodes": ["choose the cluster's nodes: one primary, and replicas"]})
    problems = PGCluster(name=serializer.validated_data["name"]).topology_errors(roles)
    if problems:
        raise Rejected({"nodes": problems})
    if not save:
        return None
    require(user, CHANGE, serializer.validated_data["deployment"].pk)
    try:
        return serializer.save()
    except ValidationError as exc:
        raise Rejected(flatten(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors":
                                                                                   exc.messages})) from None


def summary(form) -> list[dict]:
    ips = [key[5:] for key in sorted(form, key=_ip_order) if key.startswith("role_") and form[key] in ROLES]
    user, database = form.get("user") or "dbuser_dba", form.get("database") or "postgres"
    name = form.get("name") or "<name>"
    def uri(port: int) -> str:
        return f"postgres://{user}@{','.join(f'{ip}:{port}' for ip in ips)}/{database}"
    return [{"service": f"{name}-{svc['name']}", "port": svc["port"], "uri": uri(svc["port"])}
            for svc in DEFAULT_SERVICES] if ips else []


def context(form, user, errors=None) -> dict:
    deployments = scoped(Deployment.objects.all(), user, CHANGE).order_by("name")
    deployment = deployments.filter(pk=as_pk(form.get("deployment"))).first() or deployments.first()
    free = Node.objects.filter(deployment=deployment, pg_instances__isnull=True).order_by("ip") if deployment else []
    return {"form": form, "errors": errors or {}, "deployments": deployments,
            "deployment": deployment, "free_nodes": free, "roles": ROLES, "versions": VERSIONS,
            "rto_modes": [(mode, RTO_PLANS[mode], RTO_BOUNDS[mode]) for mode in RTO_PLANS],
            "confs": [c for c, _ in CONF_TEMPLATES], "summary": summary(form)}


@login_required
def cluster_new(request):
    if request.method != "POST":
        return render(request, "clusters/cluster_new.html", context(request.GET, request.user))
    form = request.POST
    if request.htmx:  # checked as you type: the errors and the summary only
        try:
            check(form, request.user)
            errors = {}
        except Rejected as exc:
            errors = exc.errors
        return render(request, "clusters/_wizard_feedback.html", context(form, request.user, errors))
    require_somewhere(request.user, CHANGE)
    try:
        with transaction.atomic():
            cluster = check(form, request.user, save=True)
            job = launch("pgsql.apply", cluster, user=request.user)
    except Rejected as exc:
        return render(request, "clusters/cluster_new.html", context(form, request.user, exc.errors), status=400)
    except ValidationError as exc:  # the apply job refused the spec (e.g. no ETCD cluster): nothing was saved
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return render(request, "clusters/cluster_new.html", context(form, request.user, errors), status=400)
    return redirect("job-detail", pk=job.pk)
