"""AuthEvent: a sign-in, sign-out or failed sign-in, with the client's address and user agent (never the
password or any credential); append-only and hash-chained like the change log."""
import ipaddress

from django.db import models

from clusters.changelog.context import SOURCES

from .chained import ChainedEntry


class AuthEvent(ChainedEntry):
    ACTIONS = [("login", "login"), ("logout", "logout"), ("login_failed", "login_failed")]

    action = models.CharField(max_length=12, choices=ACTIONS, db_index=True)
    username = models.CharField(max_length=150, blank=True, db_index=True,
                                help_text="the user; for a failed sign-in, the name that was tried")
    ip = models.GenericIPAddressField(null=True, blank=True, help_text="the client's address (REMOTE_ADDR)")
    user_agent = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=[(s, s) for s in SOURCES])

    hashed_fields = ("action", "username", "ip", "user_agent", "source")

    class Meta:
        ordering = ["-time", "-id"]

    def chain_content(self) -> dict:
        """The address as one spelling: PostgreSQL's inet and Python write some IPv6 addresses differently."""
        content = super().chain_content()
        if self.ip:
            content["ip"] = ipaddress.ip_address(self.ip).compressed
        return content

    def __str__(self):
        return f"{self.action} {self.username} from {self.ip or 'unknown address'}"
