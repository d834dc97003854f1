"""Sandbox: real nodes on one Linux host (network + mount + PID namespaces, own sshd and supervisord).

Entry points: `up`, `down`, `status`, `info` (see lifecycle.py) with a `SandboxConfig`; the management
command `manage.py sandbox` wraps them and registers the nodes in the database (registry.py).
"""
from .config import SandboxConfig
from .lifecycle import SandboxInfo, SandboxNode, SandboxUnavailable, down, info, status, up

__all__ = ["SandboxConfig", "SandboxInfo", "SandboxNode", "SandboxUnavailable", "down", "info", "status", "up"]
