"""The one place rdsconsole runs commands on nodes: paramiko connections pooled per node, quoted commands,
streamed output, atomic uploads, sudo for non-root users, pinned host keys.

    from tasks import ssh
    ssh.run(node, ssh.build("systemctl", "status", name), on_line=log, timeout=30)
    ssh.upload(node, "/etc/patroni/patroni.yml", text, owner="postgres", mode=0o600)
"""
from .api import accept_new_host_key, connect, run, upload
from .command import build, mask
from .connection import CommandResult, Connection
from .errors import (AuthenticationError, CommandTimeoutError, ConnectionLostError, HostKeyChangedError,
                     NodeUnreachableError, RemoteCommandError, SSHError)
from .pool import POOL

__all__ = [
    "POOL", "AuthenticationError", "CommandResult", "CommandTimeoutError", "Connection", "ConnectionLostError",
    "HostKeyChangedError",
    "NodeUnreachableError", "RemoteCommandError", "SSHError", "accept_new_host_key", "build", "connect", "mask",
    "run", "upload",
]
