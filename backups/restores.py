"""Point-in-time restore requests and their approval: checking a request (target inside the recovery window, a
branch's new cluster and nodes, an in-place confirmation), declaring the branch cluster, approving (never by the
requester, by an approver of the cluster's deployment, as many approvals as configured), rejecting, expiring,
following the restore job to its end, and running a failed one again. Every state change is a model save, so the
change log holds each transition.

Refusals raise RestoreRefused with {field: [messages]} (the API answers 400), RestoreForbidden (403) or
RestoreConflict (409); nothing is saved then. Asking needs the dba role in the cluster's deployment (Django's
PermissionDenied, 403)."""
import ipaddress
import re
from datetime import timedelta, timezone as dt_timezone

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from clusters.access.roles import APPROVE, CHANGE, access_of
from clusters.access.scope import missing, require
from clusters.models import HBARule, Node, PGCluster, PGInstance
from tasks.render.backup import repo_options
from tasks.render.context import BACKUP_DIR

from .models import RESTORE_MODES, RESTORE_TARGETS, BackupCatalog, RestoreDecision, RestoreRequest

LSN = re.compile(r"^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$")
# pgBackRest writes a restore point name as `recovery_target_name = '<name>'` without escaping it
UNSAFE_NAME = re.compile(r"['\\\x00-\x1f\x7f]")
EXCLUSIVE_TARGETS = ("time", "xid", "lsn")
RESTORE_KIND = "pgsql.restore"


class RestoreRefused(Exception):
    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


class RestoreForbidden(Exception):
    pass


class RestoreConflict(Exception):
    def __init__(self, message: str, running_job=None):
        super().__init__(message)
        self.running_job = running_job


def lsn_value(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def window_text(catalog) -> str:
    return (f"the recovery window of {catalog.cluster.name} is {catalog.earliest_restorable.isoformat()} → "
            f"{catalog.latest_restorable.isoformat()}")


def pgbackrest_time(moment) -> str:
    """A UTC time as pgBackRest takes it for `--target` (and passes on to recovery_target_time): milliseconds."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}+00"


def check_target(cluster, target_type: str, target: str, inclusive: bool) -> dict:
    """The fields to save for a valid target (a time is normalised to UTC milliseconds, the precision
    pgBackRest accepts), else RestoreRefused naming the field and the rule."""
    catalog = BackupCatalog.objects.filter(cluster=cluster).first()
    if catalog is None or catalog.earliest_restorable is None:
        raise RestoreRefused({"cluster": [f"{cluster.name} has no backup to restore from: take one "
                                          f"(POST /api/v1/clusters/{cluster.pk}/backups/) or refresh its catalogue"]})
    if not inclusive and target_type not in EXCLUSIVE_TARGETS:
        raise RestoreRefused({"inclusive": [f"exclusive applies to time, xid and lsn targets, not {target_type}"]})
    if target_type in ("latest", "immediate"):
        if target:
            raise RestoreRefused({"target": [f"a {target_type} restore takes no target; leave it empty"]})
        return {}
    if not target:
        raise RestoreRefused({"target": [f"a {target_type} restore needs a target"]})
    if target_type == "time":
        moment = parse_datetime(target)
        if moment is None or moment.tzinfo is None:
            raise RestoreRefused({"target": [f"{target!r} is not an ISO 8601 time with a time zone, e.g. "
                                             f"2026-11-25T10:15:00+00:00"]})
        moment = moment.astimezone(dt_timezone.utc).replace(microsecond=moment.microsecond // 1000 * 1000)
        if not catalog.earliest_restorable <= moment <= catalog.latest_restorable:
            raise RestoreRefused({"target": [f"{target} is outside the recovery window: {window_text(catalog)}"]})
        return {"target_time": moment, "target": pgbackrest_time(moment)}
    if target_type == "xid" and not (target.isdigit() and int(target) > 2):
        raise RestoreRefused({"target": [f"{target!r} is not a transaction id (a whole number above 2)"]})
    if target_type == "lsn":
        if not LSN.match(target):
            raise RestoreRefused({"target": [f"{target!r} is not an LSN like 0/5000028"]})
        oldest = cluster.backups.filter(error=False).order_by("stopped_at").first()
        if lsn_value(target) < lsn_value(oldest.lsn_stop):
            raise RestoreRefused({"target": [f"{target} is before the end of the oldest backup ({oldest.lsn_stop}, "
                                             f"{oldest.label}): {window_text(catalog)}"]})
    if target_type == "name":
        if len(target) > 63:
            raise RestoreRefused({"target": ["a restore point name is at most 63 characters"]})
        if UNSAFE_NAME.search(target):
            raise RestoreRefused({"target": ["a restore point name cannot contain a quote ('), a backslash or a "
                                             "control character such as a line break: pgBackRest writes it "
                                             "unescaped into postgresql.auto.conf"]})
    return {}


def reachable_repo_errors(cluster) -> dict:
    """A branch restore reads the source's repository from other nodes: a node-local posix repo cannot be."""
    options = repo_options(cluster)
    if options.get("repo1-type", "posix") == "posix" and options.get("repo1-path") == BACKUP_DIR:
        return {"mode": [f"a branch restore reads {cluster.name}'s backups from the new nodes, but they are in "
                         f"{BACKUP_DIR} on {cluster.name}'s own primary (local repository): use a shared posix or "
                         f"S3 repository (pgbackrest_method / pgbackrest_repo), or restore in place"]}
    return {}


def _is_ip(text) -> bool:
    try:
        ipaddress.ip_address(str(text))
        return True
    except ValueError:
        return False


def declare_branch(source, name: str, ips: list) -> PGCluster:
    """The branch cluster: the source's settings, users, databases, HBA rules and services (its data comes from
    the backup, its system passwords are the source's since the restored roles carry them), on `ips`."""
    if not name:
        raise RestoreRefused({"new_cluster": ["a branch restore needs the new cluster's name"]})
    if not ips:
        raise RestoreRefused({"nodes": ["a branch restore needs at least one node (the first becomes primary)"]})
    if len(set(ips)) != len(ips):
        raise RestoreRefused({"nodes": ["a node is listed twice"]})
    bad = [ip for ip in ips if not _is_ip(ip)]
    if bad:
        raise RestoreRefused({"nodes": [f"{ip!r} is not an IP address" for ip in bad]})
    nodes = {n.ip: n for n in Node.objects.filter(deployment=source.deployment, ip__in=ips)}
    missing = [ip for ip in ips if ip not in nodes]
    if missing:
        raise RestoreRefused({"nodes": [f"no node {ip} in deployment {source.deployment.name}" for ip in missing]})
    skip = {"id", "name", "status", "last_applied", "live_leader", "created", "last_updated"}
    fields = {f.attname: getattr(source, f.attname) for f in PGCluster._meta.concrete_fields if f.name not in skip}
    branch = PGCluster(name=name, **fields)
    try:
        branch.save()
    except ValidationError as exc:
        raise RestoreRefused({"new_cluster" if key == "name" else f"new_cluster.{key}": messages
                              for key, messages in exc.message_dict.items()}) from None
    for seq, ip in enumerate(ips, start=1):
        try:
            PGInstance(cluster=branch, node=nodes[ip], pg_seq=seq,
                       pg_role="primary" if seq == 1 else "replica").save()
        except ValidationError as exc:
            raise RestoreRefused({"nodes": [f"{ip}: {message}" for message in exc.messages]}) from None
    for related in ("users", "databases", "custom_services"):
        for item in getattr(source, related).all():
            item.pk, item.cluster = None, branch
            item.save()
    for rule in HBARule.objects.filter(cluster=source):
        rule.pk, rule.cluster = None, branch
        rule.save()
    return branch


def create(user, cluster: PGCluster, *, target_type: str, target: str = "", inclusive: bool = True, mode: str,
           reason: str, new_cluster: str = "", nodes=(), confirm: str = "") -> RestoreRequest:
    require(user, CHANGE, cluster)
    if mode not in dict(RESTORE_MODES):
        raise RestoreRefused({"mode": [f"{mode!r} is not a restore mode; use branch or in-place"]})
    if target_type not in dict(RESTORE_TARGETS):
        raise RestoreRefused({"target_type": [f"{target_type!r} is not a target; use one of "
                                              f"{', '.join(dict(RESTORE_TARGETS))}"]})
    if cluster.status != "running":
        raise RestoreRefused({"cluster": [f"{cluster.name} is {cluster.status}; restores read a running "
                                          f"cluster's repository"]})
    if not reason.strip():
        raise RestoreRefused({"reason": ["say why: the approver reads it"]})
    extra = {"target": target, **check_target(cluster, target_type, target, inclusive)}
    with transaction.atomic():
        branch = None
        if mode == "branch":
            errors = reachable_repo_errors(cluster)
            if errors:
                raise RestoreRefused(errors)
            branch = declare_branch(cluster, new_cluster, list(nodes))
        elif confirm != cluster.name:
            raise RestoreRefused({"confirm": [f"an in-place restore rolls {cluster.name} back and loses everything "
                                              f"after the target: type the cluster name to confirm: "
                                              f"{{\"confirm\": \"{cluster.name}\"}}"]})
        request = RestoreRequest(
            cluster=cluster, target_type=target_type, inclusive=inclusive, mode=mode,
            new_cluster=branch, reason=reason, requested_by=user if getattr(user, "pk", None) else None,
            approvals_required=settings.RESTORE_APPROVALS_REQUIRED,
            expires_at=timezone.now() + timedelta(hours=settings.RESTORE_REQUEST_TTL_HOURS), **extra)
        request.save()
    return request


def _decide(request_id: int, user, comment: str, decision: str) -> RestoreRequest:
    request = RestoreRequest.objects.select_for_update().get(pk=request_id)
    if not access_of(user).can(APPROVE, request.cluster.deployment_id):
        raise RestoreForbidden(f"to {decision} a restore {missing(APPROVE)}")
    if decision == "approve" and request.requested_by_id == user.pk:
        raise RestoreForbidden("the requester cannot approve their own restore; another approver must")
    expire_if_overdue(request)
    if request.state != "pending":
        raise RestoreConflict(f"restore #{request.pk} is {request.state}, not pending approval")
    if request.decisions.filter(user=user).exists():
        raise RestoreConflict(f"{user.get_username()} has already decided on restore #{request.pk}")
    RestoreDecision.objects.create(request=request, user=user, user_name=user.get_username(), decision=decision,
                                   comment=comment)
    return request


def approve(request_id: int, user, comment: str = "") -> RestoreRequest:
    """Record the approval; the last one needed starts the restore job (or nothing is saved: 409)."""
    with transaction.atomic():
        request = _decide(request_id, user, comment, "approve")
        if request.decisions.filter(decision="approve").count() < request.approvals_required:
            return request
        request.state = "approved"
        request.save()
        _start(request, request.requested_by, "approve again when it is done")
    return request


def retry(request_id: int, user) -> RestoreRequest:
    """Run a failed restore again, as approved: a new job of the same request, which converges from wherever the
    failed one stopped (needs the dba role, like asking; 409 unless the request failed)."""
    with transaction.atomic():
        request = RestoreRequest.objects.select_for_update().get(pk=request_id)
        if not access_of(user).can(CHANGE, request.cluster.deployment_id):
            raise RestoreForbidden(f"to run a restore again {missing(CHANGE)}")
        follow_job(request)
        if request.state != "failed":
            raise RestoreConflict(f"restore #{request.pk} is {request.state}; only a failed restore runs again")
        if request.mode == "branch" and request.new_cluster is None:
            raise RestoreConflict(f"the branch cluster of restore #{request.pk} was deleted; ask for a new restore")
        request.state = "approved"
        request.save()
        _start(request, user, "run it again when that job is done")
    return request


def _start(request: RestoreRequest, user, when_busy: str):
    """Start the restore job of an approved request (state running), or undo the transaction and refuse (409)
    when its target cluster is busy with another job."""
    from tasks.jobs import JobConflict, launch

    target = request.new_cluster if request.mode == "branch" else request.cluster
    try:
        job = launch(RESTORE_KIND, target, user=user, params={"restore": request.pk})
    except JobConflict as exc:
        transaction.set_rollback(True)
        raise RestoreConflict(f"{target.name} is busy: {exc}; {when_busy}", exc.running_job) from None
    request.state, request.job = "running", job
    request.save()


def reject(request_id: int, user, comment: str = "") -> RestoreRequest:
    with transaction.atomic():
        request = _decide(request_id, user, comment, "reject")
        close(request, "rejected")
    return request


def close(request: RestoreRequest, state: str):
    """Rejected or expired: the branch cluster declared for it goes too (it never ran)."""
    branch = request.new_cluster
    request.state, request.new_cluster = state, None
    request.save()
    if branch is not None and branch.status == "declared":
        branch.delete()


def expire_if_overdue(request: RestoreRequest) -> bool:
    if request.state == "pending" and request.expires_at <= timezone.now():
        close(request, "expired")
        return True
    return False


def expire_overdue() -> int:
    expired = 0
    for request in RestoreRequest.objects.filter(state="pending", expires_at__lte=timezone.now()):
        with transaction.atomic():
            expired += expire_if_overdue(RestoreRequest.objects.select_for_update().get(pk=request.pk))
    return expired


def follow_job(request: RestoreRequest) -> RestoreRequest:
    """A running request takes its job's outcome once the job has ended (and the point it reached)."""
    job = request.job
    if request.state == "running" and job is not None and job.status in ("succeeded", "failed", "cancelled"):
        request.state = "succeeded" if job.status == "succeeded" else "failed"
        request.reached = (job.result or {}).get("reached", {})
        request.save()
    return request
