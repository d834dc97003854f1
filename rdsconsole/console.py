"""What every console page knows of the user: their roles in the deployment they are in (chosen in the header
among those they may see, kept in the session; none chosen means all of theirs), and the view that switches
it; and
how console views read form values they look objects up by (junk finds nothing instead of failing)."""
import ipaddress

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from clusters.access.roles import access_of
from clusters.access.scope import scoped
from clusters.models import Deployment

SESSION_KEY = "deployment"


def role(user, deployment) -> str:
    """The user's roles in `deployment` (None: in any of theirs), as the header shows them."""
    return ", ".join(access_of(user).roles_in(deployment.pk if deployment else None)) or "no role"


def current_deployment(request):
    """The deployment chosen in the header, or None (all the user's deployments)."""
    chosen = request.session.get(SESSION_KEY)
    return scoped(Deployment.objects.all(), request.user).filter(pk=chosen).first() if chosen else None


def console(request) -> dict:
    """Template context: the header's role and deployment switcher."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    deployment = current_deployment(request)
    return {"console_role": role(request.user, deployment), "console_deployment": deployment,
            "console_deployments": scoped(Deployment.objects.all(), request.user).order_by("name")
                                   .only("pk", "name")}


@login_required
@require_POST
def switch_deployment(request):
    chosen = scoped(Deployment.objects.all(), request.user).filter(pk=as_pk(request.POST.get("deployment"))).first()
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
