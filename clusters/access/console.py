"""Console pages of access control: your API tokens (create — the secret is shown on that page once —, revoke)
and the members of your deployments (admins grant and take away roles)."""
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clusters.models import ROLES, ApiToken, Deployment, Membership
from rdsconsole.console import as_name, as_pk

from .roles import ADMIN, VIEW
from .scope import get_scoped_or_404, require, require_somewhere, scoped
from .tokens import issue, revoke


def _own_tokens(user):
    return ApiToken.objects.filter(user=user).select_related("deployment").order_by("name")


def _token_form(request, user) -> tuple[dict, dict]:
    """The new token's fields from the form, and {field: [message]} for what is wrong."""
    form, errors = request.POST, {}
    fields = {"name": as_name(form.get("name")).strip(), "read_only": bool(form.get("read_only"))}
    if form.get("deployment"):
        fields["deployment"] = scoped(Deployment.objects.all(), user).filter(pk=as_pk(form["deployment"])).first()
        if fields["deployment"] is None:
            errors["deployment"] = ["choose one of your deployments, or none for all of them"]
    days = form.get("expires_days", "").strip()
    if days:
        if not days.isdigit() or not 1 <= int(days) <= 3650:
            errors["expires_days"] = ["a whole number of days from 1 to 3650, or empty for never"]
        else:
            fields["expires_at"] = timezone.now() + timedelta(days=int(days))
    return fields, errors


@login_required
def tokens(request):
    created, errors, status = None, {}, 200
    if request.method == "POST":
        fields, errors = _token_form(request, request.user)
        if not errors:
            try:
                created = issue(user=request.user, **fields)
                status = 201
            except ValidationError as exc:
                errors = exc.message_dict
        if errors:
            status = 400
    return render(request, "access/tokens.html", {
        "tokens": _own_tokens(request.user), "created": created, "errors": errors, "form": request.POST,
        "deployments": scoped(Deployment.objects.all(), request.user).order_by("name"),
    }, status=status)


@login_required
@require_POST
def token_revoke(request, pk: int):
    tokens_of = ApiToken.objects.all() if request.user.is_superuser else _own_tokens(request.user)
    token = tokens_of.filter(pk=pk).first()
    if token is None:
        return render(request, "access/tokens.html", {"tokens": _own_tokens(request.user), "errors": {
            "token": ["no such token of yours"]}}, status=404)
    revoke(token)
    return redirect("tokens")


@login_required
def members(request):
    errors, status = {}, 200
    if request.method == "POST":
        require_somewhere(request.user, ADMIN)
        deployment = get_scoped_or_404(Deployment.objects.all(), request.user, pk=as_pk(request.POST.get("deployment")))
        require(request.user, ADMIN, deployment.pk)
        user = get_user_model().objects.filter(username=as_name(request.POST.get("user")).strip()).first()
        if user is None:
            errors["user"] = ["no user with this username"]
        else:
            try:
                Membership(user=user, deployment=deployment, role=request.POST.get("role", "")).save()
                return redirect("members")
            except ValidationError as exc:
                errors = exc.message_dict
        status = 400
    administered = scoped(Deployment.objects.all(), request.user, ADMIN).order_by("name")
    return render(request, "access/members.html", {
        "memberships": scoped(Membership.objects.select_related("user", "deployment"), request.user, VIEW),
        "administered": administered, "administered_ids": {d.pk for d in administered},
        "roles": ROLES, "errors": errors, "form": request.POST,
    }, status=status)


@login_required
@require_POST
def member_remove(request, pk: int):
    membership = get_scoped_or_404(Membership.objects.all(), request.user, pk=pk)
    require(request.user, ADMIN, membership)
    membership.delete()
    return redirect("members")
