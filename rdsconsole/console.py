"""What every console page knows of the user: their role (admin, approver or operator) and the deployment they
are in (chosen in the header, kept in the session; none chosen means all), and the view that switches it; and
how console views read form values they look objects up by (junk finds nothing instead of failing)."""
import ipaddress

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from clusters.models import Deployment

SESSION_KEY = "deployment"


def role(user) -> str:
    if user.is_superuser:
        return "admin"
    if user.has_perm("backups.approve_restorerequest"):
        return "approver"
    return "operator"


def current_deployment(request):
    """The deployment chosen in the header, or None (all deployments)."""
    chosen = request.session.get(SESSION_KEY)
    return Deployment.objects.filter(pk=chosen).first() if chosen else None


def console(request) -> dict:
    """Template context: the header's role and deployment switcher."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"console_role": role(request.user), "console_deployment": current_deployment(request),
            "console_deployments": Deployment.objects.order_by("name").only("pk", "name")}


@login_required
@require_POST
def switch_deployment(request):
    chosen = Deployment.objects.filter(pk=as_pk(request.POST.get("deployment"))).first()
    if chosen is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = chosen.pk
    back = request.POST.get("next", "/")
    return redirect(back if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) else "/")


def as_pk(value):
    """A form value used as a primary key: the int, or None for anything else (no match, not a 500)."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def as_ip(value):
    """A form value used to find a node by IP: the address, or None when it is not one."""
    try:
        return str(ipaddress.ip_address(str(value or "").strip()))
    except ValueError:
        return None


def as_name(value) -> str:
    """A form value used to find an object by name: "" when it holds a NUL (PostgreSQL cannot even compare it)."""
    text = str(value or "")
    return "" if "\x00" in text else text
