"""One authenticated SSH connection to a node: connecting (with retries and host key pinning) and running
commands with a timeout while streaming their output line by line.

A node is anything with `ip`, `ssh_port`, `ssh_user`, `credential` and `host_key` (the Node model);
when it has no pinned key yet, the key seen on the first successful connection is saved on it.
"""
import codecs
import select
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import paramiko

from . import command as cmd
from . import credentials, hostkeys
from .errors import (AuthenticationError, CommandTimeoutError, ConnectionLostError, HostKeyChangedError,
                     NodeUnreachableError, RemoteCommandError)

DEFAULT_TIMEOUT = 60.0
CONNECT_TIMEOUT = 5.0  # one attempt
CONNECT_DEADLINE = 15.0  # all attempts: an unreachable node fails within about this long
DEAD_PEER_MS = 10_000
BACKOFF = (0.2, 0.5, 1.0, 2.0)
STDERR_TAIL_LINES = 20
LOCAL_GRACE = 2.0  # the remote `timeout` normally fires first; this is the local backstop
# sshd may send a command's exit status before the last of its output: that arrives until the server's EOF,
# which a command leaving a background process on its stdout delays; wait this long for it after the exit
EOF_GRACE = 2.0

LineCallback = Callable[[str, str], None]  # (stream "stdout" | "stderr", line without newline)


@dataclass
class CommandResult:
    exit_code: int
    stdout: str
    stderr: str
    duration: float


def label(node) -> str:
    name = getattr(node, "hostname", "") or ""
    return f"{name} ({node.ip})" if name and name != node.ip else str(node.ip)


def pin(node, key: paramiko.PKey) -> None:
    node.host_key = hostkeys.format_key(key)
    if getattr(node, "pk", None) is not None:
        node.save(update_fields=["host_key"])


class _Lines:
    """Splits a byte stream into lines for the callback and keeps the whole text."""

    def __init__(self, stream: str, on_line: LineCallback | None, secrets: Iterable[str]):
        self.stream, self.on_line, self.secrets = stream, on_line, secrets
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.pending, self.chunks = "", []

    def feed(self, data: bytes, final: bool = False) -> None:
        text = self.decoder.decode(data, final=final)
        self.chunks.append(text)
        *lines, self.pending = (self.pending + text).split("\n")
        if final and self.pending:
            lines.append(self.pending)
            self.pending = ""
        if self.on_line:
            for line in lines:
                self.on_line(self.stream, cmd.mask(line, self.secrets))

    @property
    def text(self) -> str:
        return "".join(self.chunks)


class Connection:
    """An open SSH session to one node; safe to share between threads (one channel per command)."""

    def __init__(self, node, client: paramiko.SSHClient):
        self.node_label, self.ip = label(node), node.ip
        self.user = node.ssh_user
        self.sudo_password = node.credential.secret if (
            node.credential is not None and node.credential.kind == "password") else None
        self.client = client
        self.host_key = hostkeys.format_key(client.get_transport().get_remote_server_key())
        self._sftp, self._sftp_lock = None, threading.Lock()
        self._sudo_asks_password = None

    @classmethod
    def open(cls, node, connect_timeout: float | None = None, deadline: float | None = None) -> "Connection":
        """Connect, retrying transient failures with backoff until `deadline` seconds have passed
        (defaults: CONNECT_TIMEOUT per attempt, CONNECT_DEADLINE in all)."""
        connect_timeout = connect_timeout or CONNECT_TIMEOUT
        deadline = deadline or CONNECT_DEADLINE
        end = time.monotonic() + deadline
        attempt, last = 0, None
        while True:
            remaining = end - time.monotonic()
            try:
                client = _connect_once(node, min(connect_timeout, max(remaining, 0.1)))
                break
            except paramiko.BadHostKeyException as exc:
                raise HostKeyChangedError(label(node), node.ip, hostkeys.fingerprint(exc.expected_key),
                                          hostkeys.fingerprint(exc.key)) from None
            except paramiko.AuthenticationException as exc:
                raise AuthenticationError(label(node), f"authentication as {node.ssh_user} failed: {exc}") from None
            except (OSError, EOFError, paramiko.SSHException) as exc:
                last = exc
            pause = BACKOFF[min(attempt, len(BACKOFF) - 1)]
            attempt += 1
            if time.monotonic() + pause >= end:
                raise NodeUnreachableError(label(node), (
                    f"no SSH session on port {node.ssh_port} after {attempt} attempts in {deadline:g} s: "
                    f"{type(last).__name__}: {last}")) from None
            time.sleep(pause)
        if not node.host_key:
            pin(node, client.get_transport().get_remote_server_key())
        return cls(node, client)

    @property
    def alive(self) -> bool:
        transport = self.client.get_transport()
        return transport is not None and transport.is_active()

    @property
    def is_root(self) -> bool:
        return self.user == "root"

    def close(self) -> None:
        with self._sftp_lock:
            if self._sftp is not None:
                self._sftp.close()
                self._sftp = None
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def sftp(self) -> paramiko.SFTPClient:
        with self._sftp_lock:
            if self._sftp is None:
                self._sftp = self.client.open_sftp()
            return self._sftp

    def sudo_asks_password(self) -> bool:
        """Whether sudo must be fed the login password: only with a password credential, and only when
        `sudo -n` (no prompt) fails; asked once per connection."""
        if self._sudo_asks_password is None:
            self._sudo_asks_password = bool(self.sudo_password) and self.run(
                cmd.build("sudo", "-n", "true"), sudo=False, check=False, timeout=CONNECT_TIMEOUT).exit_code != 0
        return self._sudo_asks_password

    def run(self, command, *, timeout: float = DEFAULT_TIMEOUT, on_line: LineCallback | None = None,
            secrets: Iterable[str] = (), check: bool = True, sudo: bool | None = None,
            stdin: bytes | None = None) -> CommandResult:
        """Run `command` (a string built with command.build, or an argv list) and wait for it.

        stdout and stderr reach `on_line` line by line as they arrive (masked); a non-zero exit raises
        RemoteCommandError unless `check` is False; overrunning `timeout` raises CommandTimeoutError.
        `sudo` defaults to "when the login user is not root". The returned stdout/stderr are not masked
        (callers may need what the command printed); never log them as they are.
        """
        secrets = [s for s in secrets if s]
        text = command if isinstance(command, str) else cmd.build(*command)
        shown = cmd.mask(text, secrets)
        use_sudo = (not self.is_root) if sudo is None else sudo
        send_password = use_sudo and self.sudo_asks_password()
        wrapped = cmd.wrap(text, timeout=timeout, sudo=use_sudo, sudo_password=send_password)
        started = time.monotonic()
        try:
            channel = self.client.get_transport().open_session(timeout=CONNECT_TIMEOUT)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise ConnectionLostError(self.node_label, f"cannot open a session: {exc}", started=False) from None
        try:
            channel.exec_command(wrapped)
            if send_password:
                channel.sendall(self.sudo_password.encode() + b"\n")
            if stdin:
                channel.sendall(stdin)
            channel.shutdown_write()
            out, err = _Lines("stdout", on_line, secrets), _Lines("stderr", on_line, secrets)
            exit_code = self._pump(channel, out, err, started + timeout + LOCAL_GRACE)
        finally:
            channel.close()
        duration = time.monotonic() - started
        tail = cmd.mask("\n".join(err.text.splitlines()[-STDERR_TAIL_LINES:]), secrets)
        if exit_code is None or exit_code == 124:
            raise CommandTimeoutError(self.node_label, shown, timeout, tail)
        if exit_code == -1 and not self.alive:  # no exit status because the connection broke
            raise ConnectionLostError(self.node_label, f"connection lost while running: {shown}", started=True)
        if check and exit_code != 0:
            raise RemoteCommandError(self.node_label, shown, exit_code, tail)
        return CommandResult(exit_code, out.text, err.text, duration)

    @staticmethod
    def _pump(channel: paramiko.Channel, out: _Lines, err: _Lines, deadline: float) -> int | None:
        """Feed output to the line splitters until the command has exited and its output has ended (the server's
        EOF, or EOF_GRACE after the exit); None when the deadline passes."""
        exited = None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            select.select([channel], [], [], min(remaining, 0.5))
            while channel.recv_ready():
                out.feed(channel.recv(65536))
            while channel.recv_stderr_ready():
                err.feed(channel.recv_stderr(65536))
            if exited is None and channel.exit_status_ready():
                exited = time.monotonic()
            ended = channel.eof_received or (exited is not None and time.monotonic() - exited > EOF_GRACE)
            if exited is not None and ended and not channel.recv_ready() and not channel.recv_stderr_ready():
                out.feed(b"", final=True)
                err.feed(b"", final=True)
                return channel.recv_exit_status()


def _connect_once(node, timeout: float) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    if node.host_key:
        pinned = hostkeys.parse_key(node.host_key)
        client.get_host_keys().add(hostkeys.host_id(node.ip, node.ssh_port), pinned.get_name(), pinned)
    client.set_missing_host_key_policy(hostkeys.RecordFirstKey())
    sock = socket.create_connection((node.ip, node.ssh_port), timeout=timeout)
    # without it Nagle's algorithm and delayed ACKs add ~40 ms to every small request/response
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # a node that dies without closing the connection: give up on data unacknowledged for DEAD_PEER_MS instead
    # of retransmitting for many minutes (paramiko waits for some replies without a timeout of its own)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, DEAD_PEER_MS)
    try:
        client.connect(node.ip, port=node.ssh_port, username=node.ssh_user, sock=sock, timeout=timeout,
                       banner_timeout=timeout, auth_timeout=timeout, channel_timeout=timeout,
                       allow_agent=False, look_for_keys=False, **credentials.auth_kwargs(node.credential))
    except BaseException:
        client.close()
        sock.close()
        raise
    client.get_transport().set_keepalive(5)
    return client

