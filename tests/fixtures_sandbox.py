"""Sandbox fixtures shared by every suite that needs real nodes (sandbox, provisioning, e2e).

`sandbox` (session): one 4-node sandbox for the whole test session, reused when one is already up. One that
a test session brought up is torn down (and checked to leave nothing behind) when the last test session
using it ends; one that was up before (`make run`) is left running.
`sandbox_nodes` (function, needs the database): the sandbox registered as Deployment "sandbox"; returns its
first three Node rows. Tests are skipped when the host cannot make namespaces.

Load them with `pytest_plugins = ["tests.fixtures_sandbox"]` in the top-level conftest.
"""
import fcntl
import os
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from tasks import ssh
from tasks.sandbox import SandboxConfig, down, info, network, status, up
from tasks.sandbox.lifecycle import NO_PRIVILEGES, has_privileges
from tasks.sandbox.registry import register

SANDBOX_NODES = 4  # three for the shared pg-test cluster, one free (branch restores)
CLUSTER_NODES = 3
LOCK = Path("/run/lock/rdsconsole-sandbox-tests.lock")


@contextmanager
def _exclusive():
    """Serialises sandbox set-up and tear-down between test sessions running at the same time."""
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def sandbox():
    if not has_privileges():
        pytest.skip(NO_PRIVILEGES)
    cfg = SandboxConfig.default()
    owned_marker, sessions = cfg.state_dir / "owned-by-tests", cfg.state_dir / "test-sessions"
    with _exclusive():
        running = [row for row in status(cfg) if row["running"] and row["ssh"]]
        if len(running) >= SANDBOX_NODES:
            current = info(cfg)
        else:
            current = up(cfg, SANDBOX_NODES, log=lambda message: None)
            if not running:  # a sandbox that was up before (`make run`) stays up, even when it got a node more
                owned_marker.touch()
        sessions.mkdir(exist_ok=True)
        (sessions / str(os.getpid())).touch()
    yield current
    ssh.POOL.close_all()
    with _exclusive():
        (sessions / str(os.getpid())).unlink(missing_ok=True)
        others = [p for p in sessions.iterdir() if Path("/proc", p.name).exists()]
        if owned_marker.exists() and not others:
            down(cfg, log=lambda message: None)
            left = leftovers(cfg)
            if left:
                pytest.fail(f"sandbox down left things behind: {left}")


def leftovers(cfg: SandboxConfig) -> list[str]:
    """What a full `sandbox down` must not leave, observed with plain `ip` and the file system: this sandbox's
    namespaces, links, routes, state and processes; and the guard route and mount points too when no other
    sandbox (a benchmark's, a second test session's) still has addresses in the guarded range."""
    def ip(*args):
        return subprocess.run(["ip", *args], capture_output=True, text=True, check=True).stdout

    found = [f"netns {line.split()[0]}" for line in ip("netns", "list").splitlines()
             if line.startswith(f"{cfg.prefix}-")]
    found += [f"link {line.split()[0]}" for line in ip("-br", "link").splitlines() if line.startswith(cfg.prefix)]
    found += [f"route {line}" for line in ip("route").splitlines()
              if line.startswith(f"{cfg.network} ") or f" dev {cfg.bridge} " in f"{line} "]
    found += [f"path {cfg.state_dir}"] if cfg.state_dir.exists() else []
    found += [f"process {pid}" for pid in Path("/proc").iterdir() if pid.name.isdigit()
              and str(cfg.state_dir).encode() in _cmdline(pid)]
    if not network.guarded_addresses():
        found += [f"route {line}" for line in ip("route").splitlines() if "198.18." in line]
        found += [f"path {p}" for p in (Path("/pg"), Path("/etc/etcd"), Path("/etc/pgbackrest")) if p.exists()]
    return found


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""


@pytest.fixture
def sandbox_nodes(sandbox, db):
    deployment = register(sandbox)
    return list(deployment.nodes.order_by("ip"))[:CLUSTER_NODES]
