"""Login throttling with django-axes: which logins are counted, the address they are counted for, and the page a
locked-out user sees (the login form saying until when, answered with 429)."""
import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses logins of a locked-out username+address before any password is checked. A login without a request
    (the test client's login(), a management command) has no address to count failures for and is let through."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address failures are counted for: the peer's, or behind the TLS proxy (RDS_TLS_PROXY) the address that
    proxy appended last to X-Forwarded-For (earlier entries are whatever the client sent)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if valid_ip(forwarded[-1]):
            return valid_ip(forwarded[-1])
    return valid_ip(request.META.get("REMOTE_ADDR", ""))


def locked_until(username: str, ip_address: str | None):
    """When the lock of `username` from `ip_address` ends: the cool-off after its latest failed attempt."""
    last = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(
        last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + get_cool_off()


def locked_out(request, response, credentials):
    """The login page, saying the username is locked for this address and until when (axes' lockout response)."""
    username = get_client_username(request, credentials) or ""
    context = {"form": AuthenticationForm(request, initial={"username": username}),
               "locked_until": locked_until(username, getattr(request, "axes_ip_address", None)),
               "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)
