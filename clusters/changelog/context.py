"""Who is changing things, and through which door (api, ui, admin, import, job, cli, system)."""
import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

SOURCES = ("api", "ui", "admin", "import", "job", "cli", "system")


@dataclass(frozen=True)
class ChangeContext:
    user: object = None
    source: str = "system"
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)


_current = contextvars.ContextVar("change_context", default=None)


def current() -> ChangeContext:
    return _current.get() or ChangeContext()


@contextmanager
def change_context(user=None, source="system"):
    """Attribute every model change inside the block to `user` through `source`."""
    if source not in SOURCES:
        raise ValueError(f"unknown change source {source!r}")
    token = _current.set(ChangeContext(user=user, source=source))
    try:
        yield current()
    finally:
        _current.reset(token)


def set_user(user):
    """Attach the authenticated user once DRF has resolved it (token auth happens after middleware)."""
    ctx = current()
    _current.set(ChangeContext(user=user, source=ctx.source, request_id=ctx.request_id))
