"""The calls jobs use: run a command, upload a file, accept a changed host key — through the shared pool."""
from . import hostkeys, transfer
from .connection import CONNECT_TIMEOUT, DEFAULT_TIMEOUT, CommandResult, Connection
from .errors import ConnectionLostError
from .pool import POOL


def _on_pooled(node, action, connect_deadline: float | None = None):
    """`action(connection)`, retried once on a new connection when the pooled one broke before starting."""
    try:
        return action(POOL.get(node, connect_deadline))
    except ConnectionLostError as exc:
        if exc.started:
            raise
        POOL.discard(node)
        return action(POOL.get(node, connect_deadline))


def run(node, command, *, timeout: float = DEFAULT_TIMEOUT, connect_deadline: float | None = None,
        **kwargs) -> CommandResult:
    """Run a command on `node` over its pooled connection (see Connection.run for the options);
    `connect_deadline` bounds the connection attempts when there is no live pooled connection (callers that
    must not wait on a dead node, like the poller)."""
    return _on_pooled(node, lambda conn: conn.run(command, timeout=timeout, **kwargs), connect_deadline)


def upload(node, path: str, content: bytes | str, **kwargs) -> str:
    """Write a file on `node` atomically; "changed" or "unchanged" (see transfer.upload)."""
    return _on_pooled(node, lambda conn: transfer.upload(conn, path, content, **kwargs))


def connect(node) -> Connection:
    """A new connection outside the pool (close it, or use it as a context manager)."""
    return Connection.open(node)


def accept_new_host_key(node, timeout: float = CONNECT_TIMEOUT) -> str:
    """Pin the host key the node offers now, replacing the old pin; returns its fingerprint.

    Only for an operator who verified the change (reinstalled node): it trusts whatever answers at the
    node's address.
    """
    key = hostkeys.fetch_key(node.ip, node.ssh_port, timeout)
    node.host_key = hostkeys.format_key(key)
    if getattr(node, "pk", None) is not None:
        node.save(update_fields=["host_key"])
    POOL.discard(node)
    return hostkeys.fingerprint(key)
