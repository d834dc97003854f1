"""One sandbox node: its directory tree, its launcher process, and whether its sshd answers.

A node's directory holds its own copy of every path a real server keeps per host; the launcher bind-mounts
them over the standard paths inside the node's mount namespace (see assets/launcher.py).
"""
import grp
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Template

from . import keys
from .config import SHARED_MOUNT, SandboxConfig

ASSETS = Path(__file__).parent / "assets"

# (directory under the node dir, path inside the node, owner, group, mode)
NODE_DIRS = [
    ("etc/ssh", "/etc/ssh", "root", "root", 0o755),
    ("etc/supervisor", "/etc/supervisor", "root", "root", 0o755),
    ("etc/patroni", "/etc/patroni", "root", "root", 0o755),
    ("etc/pgbackrest", "/etc/pgbackrest", "root", "root", 0o755),
    ("etc/haproxy", "/etc/haproxy", "root", "root", 0o755),
    ("etc/pgbouncer", "/etc/pgbouncer", "postgres", "postgres", 0o755),
    ("etc/etcd", "/etc/etcd", "root", "root", 0o755),
    ("etc/postgresql", "/etc/postgresql", "postgres", "postgres", 0o755),
    ("pg", "/pg", "postgres", "postgres", 0o755),
    ("var/lib/postgresql", "/var/lib/postgresql", "postgres", "postgres", 0o755),
    ("var/log/postgresql", "/var/log/postgresql", "root", "postgres", 0o1775),
    ("var/lib/etcd", "/var/lib/etcd", "etcd", "etcd", 0o700),
    ("var/log/supervisor", "/var/log/supervisor", "root", "root", 0o755),
    ("root", "/root", "root", "root", 0o700),
]
NODE_FILES = [("etc/hosts", "/etc/hosts")]
TMPFS = [("/run", "755"), ("/tmp", "1777")]
RUN_DIRS = [
    ("/run/sshd", "root", "root", 0o755),
    ("/run/postgresql", "postgres", "postgres", 0o2775),
]
STOP_GRACE = 10


@dataclass
class NodeProcess:
    unshare_pid: int
    init_pid: int


def mount_points() -> list[str]:
    return [target for _, target, *_ in NODE_DIRS]


def chown(path: Path, user: str, group: str) -> None:
    os.chown(path, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)


def hosts_file(cfg: SandboxConfig, count: int) -> str:
    lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback"]
    lines += [f"{cfg.node_ip(n)}\t{cfg.node_name(n)}" for n in range(1, count + 1)]
    return "\n".join(lines) + "\n"


def prepare(cfg: SandboxConfig, n: int, client_public_key: str, hosts: str) -> str:
    """Create or refresh node `n`'s tree; returns its sshd host public key ("ssh-ed25519 BASE64 ...")."""
    base = cfg.node_dir(n)
    for rel, _, user, group, mode in NODE_DIRS:
        path = base / rel
        path.mkdir(parents=True, exist_ok=True)
        chown(path, user, group)
        path.chmod(mode)
    (base / "etc/supervisor/conf.d").mkdir(exist_ok=True)
    (base / "etc/supervisor/supervisord.conf").write_text((ASSETS / "supervisord.conf").read_text())
    sshd_config = Template((ASSETS / "sshd_config.j2").read_text(), keep_trailing_newline=True)
    (base / "etc/ssh/sshd_config").write_text(sshd_config.render(hostname=cfg.node_name(n), ip=cfg.node_ip(n)))
    host_key = base / "etc/ssh/ssh_host_ed25519_key"
    if not host_key.exists():
        private, public = keys.generate_ed25519(f"root@{cfg.node_name(n)}")
        host_key.touch(mode=0o600)
        host_key.write_text(private)
        host_key.with_suffix(".pub").write_text(public + "\n")
    ssh_dir = base / "root/.ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    authorized = ssh_dir / "authorized_keys"
    authorized.touch(mode=0o600)
    authorized.write_text(client_public_key + "\n")
    # written in place: a running node has this very inode bind-mounted on its /etc/hosts
    (base / "etc/hosts").write_text(hosts)
    shared_point = base / SHARED_MOUNT.lstrip("/")
    shared_point.mkdir(exist_ok=True)
    chown(shared_point, "postgres", "postgres")
    (base / "spec.json").write_text(json.dumps(_spec(cfg, n), indent=1))
    return host_key.with_suffix(".pub").read_text().strip()


def _spec(cfg: SandboxConfig, n: int) -> dict:
    base = cfg.node_dir(n)
    binds = [[str(base / rel), target] for rel, target, *_ in NODE_DIRS]
    binds += [[str(base / rel), target] for rel, target in NODE_FILES]
    binds.append([str(cfg.shared_dir), SHARED_MOUNT])
    return {"hostname": cfg.node_name(n), "binds": binds, "tmpfs": TMPFS, "run_dirs": RUN_DIRS}


def start(cfg: SandboxConfig, n: int, launcher: Path) -> NodeProcess:
    """Start node `n` as PID 1 of new mount, UTS and PID namespaces inside its network namespace."""
    spec = cfg.node_dir(n) / "spec.json"
    argv = ["ip", "netns", "exec", cfg.node_name(n), "unshare", "--mount", "--uts", "--pid", "--fork",
            "--kill-child", "--mount-proc", "--propagation", "private", "/usr/bin/python3", str(launcher), str(spec)]
    with open(cfg.node_dir(n) / "launcher.log", "ab") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        children = _children(proc.pid)
        if children:
            return NodeProcess(unshare_pid=proc.pid, init_pid=children[0])
        if proc.poll() is not None:
            break
        time.sleep(0.002)
    raise RuntimeError(f"node {cfg.node_name(n)} did not start; see {cfg.node_dir(n) / 'launcher.log'}")


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def is_ours(pid: int, cfg: SandboxConfig, n: int) -> bool:
    """True when `pid` is alive and is node `n`'s launcher (guards against PID reuse)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return str(cfg.node_dir(n) / "spec.json").encode() in cmdline


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        reap(pid)
        time.sleep(0.01)
    return not alive(pid)


def stop(processes: dict[int, NodeProcess], cfg: SandboxConfig) -> None:
    """Stop nodes (number -> process) together: SIGTERM each node's PID 1 (unshare itself ignores it),
    SIGKILL what outlives the grace; each unshare exits with its child."""
    for n, process in processes.items():
        if is_ours(process.init_pid, cfg, n):
            os.kill(process.init_pid, signal.SIGTERM)
    for n, process in processes.items():
        if not _wait_gone(process.init_pid, STOP_GRACE) and is_ours(process.init_pid, cfg, n):
            os.kill(process.init_pid, signal.SIGKILL)
        if not _wait_gone(process.unshare_pid, 2) and is_ours(process.unshare_pid, cfg, n):
            os.kill(process.unshare_pid, signal.SIGKILL)
            _wait_gone(process.unshare_pid, 2)
        reap(process.unshare_pid)


def ssh_ready(ip: str, timeout: float = 0.5) -> bool:
    """True when something at ip:22 sends an SSH banner."""
    try:
        with socket.create_connection((ip, 22), timeout=timeout) as sock:
            sock.settimeout(timeout)
            return sock.recv(4).startswith(b"SSH-")
    except OSError:
        return False


def supervisor_ready(init_pid: int) -> bool:
    """True when the node's supervisord socket exists (seen through the node's root, /proc/PID/root)."""
    return Path(f"/proc/{init_pid}/root/run/supervisor.sock").exists()


def wait_ready(ip: str, init_pid: int, seconds: float = 15) -> bool:
    """Wait until the node's sshd sends its banner and its supervisord listens."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if supervisor_ready(init_pid) and ssh_ready(ip):
            return True
        time.sleep(0.01)
    return False


def remove_tree(cfg: SandboxConfig, n: int) -> None:
    shutil.rmtree(cfg.node_dir(n), ignore_errors=True)
