"""The console's audit view: the change log (who changed what, when, through which door, before → after), the
jobs, and the sign-ins (logins, logouts, failed logins), filtered by user, object type, action and time, with CSV
export of what the filters select."""
import csv
from datetime import datetime, time

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clusters.access.scope import scoped
from clusters.models import AuthEvent, ObjectChange
from tasks.models import Job

EXPORT_LIMIT = 10000


def diff(change) -> list[dict]:
    """The fields a change touched: every field of a create or delete, the differing ones of an update."""
    before, after = change.before or {}, change.after or {}
    names = sorted(set(before) | set(after))
    if change.action == "update":
        names = [n for n in names if before.get(n) != after.get(n)]
    return [{"field": n, "before": before.get(n), "after": after.get(n)} for n in names]


def _day(text: str, end: bool):
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def filtered(params, user):
    """(changes, jobs, sign-ins, problems) for the filters in `params`, of the deployments `user` may see (sign-ins
    belong to none: superusers only); a bad filter value is named, not a 500. Sign-ins are about no object: an
    object type filter leaves none."""
    changes = scoped(ObjectChange.objects.select_related("content_type", "user"), user)
    jobs = scoped(Job.objects.select_related("requested_by", "content_type"), user).order_by("-created")
    signins = scoped(AuthEvent.objects.all(), user)
    problems = {}
    if params.get("user"):
        changes = changes.filter(user_name=params["user"])
        jobs = jobs.filter(requested_by__username=params["user"])
        signins = signins.filter(username=params["user"])
    if params.get("object"):
        app_label, _, model = params["object"].partition(".")
        kind = ContentType.objects.filter(app_label=app_label, model=model).first()
        if kind is None:
            problems["object"] = [f"{params['object']!r} is not an object type like clusters.pgcluster"]
        else:
            changes = changes.filter(content_type=kind)
            jobs = jobs.filter(content_type=kind)
            signins = signins.none()
    if params.get("action"):
        changes = changes.filter(action=params["action"])
        jobs = jobs.filter(kind=params["action"])
        signins = signins.filter(action=params["action"])
    for name, lookup, end in (("since", "gte", False), ("until", "lte", True)):
        if params.get(name):
            moment = _day(params[name], end)
            if moment is None:
                problems[name] = [f"{params[name]!r} is not a day like 2026-11-25"]
            else:
                changes = changes.filter(**{f"time__{lookup}": moment})
                jobs = jobs.filter(**{f"created__{lookup}": moment})
                signins = signins.filter(**{f"time__{lookup}": moment})
    return changes, jobs, signins, problems


@login_required
def audit(request):
    changes, jobs, signins, problems = filtered(request.GET, request.user)
    if request.GET.get("export") == "csv" and not problems:
        return export_csv(changes[:EXPORT_LIMIT], jobs[:EXPORT_LIMIT], signins[:EXPORT_LIMIT])
    change_rows = [(c, diff(c)) for c in changes[:200]]
    return render(request, "audit.html", {
        "changes": change_rows, "jobs": jobs[:100], "signins": signins[:200], "errors": problems,
        "params": request.GET,
        "object_types": ContentType.objects.filter(app_label__in=("clusters", "backups")).order_by("model"),
        "actions": ["create", "update", "delete", *(action for action, _ in AuthEvent.ACTIONS)],
    }, status=400 if problems else 200)


def export_csv(changes, jobs, signins) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="rdsconsole-audit.csv"'
    out = csv.writer(response)
    out.writerow(["record", "time", "user", "source", "action", "object type", "object", "field", "before", "after"])
    for change in changes:
        for row in diff(change) or [{"field": "", "before": "", "after": ""}]:
            out.writerow(["change", change.time.isoformat(), change.user_name, change.source, change.action,
                          f"{change.content_type.app_label}.{change.content_type.model}", change.object_repr,
                          row["field"], row["before"], row["after"]])
    for job in jobs:
        out.writerow(["job", job.created.isoformat(), job.requested_by.username if job.requested_by else "scheduler",
                      "job", job.kind, f"{job.content_type.app_label}.{job.content_type.model}" if job.content_type
                      else "", job.target_repr, "status", "", job.status])
    for event in signins:
        for field, value in (("ip", event.ip or ""), ("user agent", event.user_agent)):
            out.writerow(["auth", event.time.isoformat(), event.username, event.source, event.action, "", "",
                          field, "", value])
    return response
