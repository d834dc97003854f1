"""Connections pooled per node and reused across calls and threads.

A pooled connection is keyed by address, login user and credential, and is replaced when it died or when
the node's pinned host key no longer matches the key it was opened with (e.g. after accepting a new key).
"""
import threading

from . import credentials
from .connection import Connection


class Pool:
    def __init__(self):
        self._connections: dict[tuple, Connection] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(node) -> tuple:
        return (node.ip, node.ssh_port, node.ssh_user, credentials.identity(node.credential))

    @staticmethod
    def _usable(conn: Connection, node) -> bool:
        """Alive, and opened with the key the node has pinned now (it changes when a new key is accepted)."""
        return conn.alive and (not node.host_key or node.host_key.split()[:2] == conn.host_key.split())

    def get(self, node) -> Connection:
        key = self.key(node)
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            conn = self._connections.get(key)
            if conn is not None and not self._usable(conn, node):
                conn.close()
                conn = None
            if conn is None:
                conn = Connection.open(node)
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
        for conn in conns:
            conn.close()

    def __len__(self) -> int:
        return len(self._connections)


POOL = Pool()
