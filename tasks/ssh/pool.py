"""Connections pooled per node and reused across calls and threads.

A pooled connection is keyed by address, login user and credential, and is replaced when it died or when
the node's pinned host key no longer matches the key it was opened with (e.g. after accepting a new key).

A failed connection attempt is shared by the callers that queued behind it (the poller's threads, a job's
parallel steps): they get its error at once instead of each retrying for the whole connect deadline in turn
behind one lock. A later caller makes a new attempt (the node may be back), except one that bounds its connect
time (the poller, reading live state every few seconds): it gets a failure seen in the last FAILURE_MEMORY
seconds at once.
"""
import threading
import time

from . import credentials
from .connection import Connection
from .errors import NodeUnreachableError

FAILURE_MEMORY = 10.0


class Pool:
    def __init__(self):
        self._connections: dict[tuple, Connection] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._failures: dict[tuple, tuple[float, NodeUnreachableError]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(node) -> tuple:
        return (node.ip, node.ssh_port, node.ssh_user, credentials.identity(node.credential))

    @staticmethod
    def _usable(conn: Connection, node) -> bool:
        """Alive, and opened with the key the node has pinned now (it changes when a new key is accepted)."""
        return conn.alive and (not node.host_key or node.host_key.split()[:2] == conn.host_key.split())

    def get(self, node, connect_deadline: float | None = None) -> Connection:
        """The node's live pooled connection, opened when there is none (retrying for `connect_deadline` s,
        Connection.open's default when None)."""
        asked = time.monotonic()
        key = self.key(node)
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            conn = self._connections.get(key)
            if conn is not None and not self._usable(conn, node):
                conn.close()
                conn = None
            if conn is None:
                failed_at, error = self._failures.get(key, (None, None))
                if failed_at is not None and (failed_at >= asked or (
                        connect_deadline is not None and asked - failed_at < FAILURE_MEMORY)):
                    raise error
                try:
                    conn = Connection.open(node, deadline=connect_deadline)
                except NodeUnreachableError as exc:
                    self._failures[key] = (time.monotonic(), exc)
                    raise
                self._failures.pop(key, None)
                self._connections[key] = conn
            return conn

    def discard(self, node) -> None:
        with self._lock:
            conn = self._connections.pop(self.key(node), None)
        if conn is not None:
            conn.close()

    def close_all(self) -> None:
        with self._lock:
            conns, self._connections = list(self._connections.values()), {}
            self._failures.clear()
        for conn in conns:
            conn.close()

    def __len__(self) -> int:
        return len(self._connections)


POOL = Pool()
