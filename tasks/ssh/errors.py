"""Errors of the SSH layer. Messages never contain secrets: commands are masked before they get here."""


class SSHError(Exception):
    """Base class; `node` is a label such as "pg-1 (10.0.0.11)"."""

    def __init__(self, node: str, message: str):
        super().__init__(f"{node}: {message}")
        self.node = node


class NodeUnreachableError(SSHError):
    """No SSH session could be established within the connect deadline."""


class ConnectionLostError(SSHError):
    """The connection broke; when raised before a command started, retrying on a new connection is safe."""

    def __init__(self, node: str, message: str, started: bool):
        super().__init__(node, message)
        self.started = started


class AuthenticationError(SSHError):
    """The node refused the credential (not retried)."""


class HostKeyChangedError(SSHError):
    """The node offered a host key other than the pinned one; nothing was sent to it."""

    def __init__(self, node: str, ip: str, pinned: str, offered: str):
        super().__init__(node, (
            f"host key changed: pinned {pinned}, offered {offered}. This can mean a reinstalled node or a "
            f"machine impersonating it. After verifying the new key out of band, accept it with "
            f"`python manage.py node_accept_hostkey {ip}` (or tasks.ssh.accept_new_host_key(node))."))
        self.ip, self.pinned, self.offered = ip, pinned, offered


class RemoteCommandError(SSHError):
    """A command exited non-zero. `command` and `stderr_tail` are masked."""

    def __init__(self, node: str, command: str, exit_code: int | None, stderr_tail: str, message: str = ""):
        message = message or f"command exited with status {exit_code}: {command}"
        if stderr_tail:
            message += f"\n{stderr_tail}"
        super().__init__(node, message)
        self.command, self.exit_code, self.stderr_tail = command, exit_code, stderr_tail


class CommandTimeoutError(RemoteCommandError):
    """A command did not finish within its timeout; it was killed on the node."""

    def __init__(self, node: str, command: str, timeout: float, stderr_tail: str = ""):
        super().__init__(node, command, None, stderr_tail,
                         message=f"command timed out after {timeout:g} s: {command}")
        self.timeout = timeout
