"""Signal handlers recording sign-ins, sign-outs and failed sign-ins as AuthEvent rows: who (the name tried, for
a failure), from which address and user agent, through which door. Only the username is taken from the
credentials: never a password, token or key."""
import ipaddress

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from .context import current
from .middleware import source_for_path

USER_AGENT_LENGTH = 300


def _text(value, length: int) -> str:
    """A header or form value fit for a text column: NUL characters dropped, cut to the column's length."""
    return str(value or "").replace("\x00", "")[:length]


def client_ip(request) -> str | None:
    """The address the request came from (REMOTE_ADDR: forwarded-for headers are the client's to forge)."""
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def record(action: str, request, username: str):
    from clusters.models import AuthEvent

    AuthEvent.objects.create(
        action=action,
        username=_text(username, 150),
        ip=client_ip(request),
        user_agent=_text(request.META.get("HTTP_USER_AGENT") if request is not None else "", USER_AGENT_LENGTH),
        source=source_for_path(request.path) if request is not None and request.path else current().source,
    )


def on_login(sender, request, user, **kwargs):
    record("login", request, user.get_username())


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record("logout", request, user.get_username())


def on_login_failed(sender, credentials, request=None, **kwargs):
    record("login_failed", request, credentials.get(get_user_model().USERNAME_FIELD, ""))


def connect():
    user_logged_in.connect(on_login, dispatch_uid="audit_user_logged_in")
    user_logged_out.connect(on_logout, dispatch_uid="audit_user_logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit_user_login_failed")
