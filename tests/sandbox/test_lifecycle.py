"""Bringing a sandbox up and down: a second, small sandbox (own prefix, own subnet 198.18.0.48/28 inside the
guarded range) next to the shared one, which must keep working throughout."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tasks import ssh
from tasks.sandbox import SandboxConfig, down, network, nodes, status, up

pytestmark = pytest.mark.sandbox
ROOT = Path(__file__).resolve().parents[2]


def as_node(sandbox, n):
    credential = SimpleNamespace(kind="ssh_key", secret=sandbox.private_key, passphrase="")
    member = sandbox.nodes[n - 1]
    return SimpleNamespace(ip=member.ip, hostname=member.name, ssh_port=22, ssh_user="root", credential=credential,
                           host_key=member.host_key)


def leftovers(cfg: SandboxConfig, pids: list[int]) -> dict:
    routes = subprocess.run(["ip", "-j", "route", "show"], capture_output=True, text=True, check=True).stdout
    return {
        "namespaces": sorted(ns for ns in network.namespaces() if ns.startswith(f"{cfg.prefix}-")),
        "links": sorted(link for link in network.links() if link.startswith(cfg.prefix)),
        "routes": [r for r in json.loads(routes) if r.get("dst") == str(cfg.network)],
        "processes": [pid for pid in pids if Path(f"/proc/{pid}").exists()],
        "state_dir": cfg.state_dir.exists(),
    }


def test_up_is_idempotent_restarts_dead_nodes_and_down_leaves_nothing(sandbox, tmp_path):
    cfg = SandboxConfig(state_dir=tmp_path / "state", prefix="rdt", bridge_cidr="198.18.0.49/28",
                        first_ip="198.18.0.51", deployment="sandbox-lifecycle")
    try:
        small = up(cfg, 2, install=False, log=lambda message: None)
        assert [n.ip for n in small.nodes] == ["198.18.0.51", "198.18.0.52"]
        first_pids = [row["pid"] for row in status(cfg)]
        assert all(row["running"] and row["ssh"] for row in status(cfg))
        assert ssh.run(as_node(small, 2), "hostname").stdout == "rdt-node2\n"

        up(cfg, 2, install=False, log=lambda message: None)
        assert [row["pid"] for row in status(cfg)] == first_pids, "a second up keeps running nodes"

        ssh.run(as_node(small, 2), "echo kept > /etc/etcd/marker")
        os.kill(first_pids[1], signal.SIGKILL)  # crash node 2 as a whole
        up(cfg, 2, install=False, log=lambda message: None)
        rows = status(cfg)
        assert rows[0]["pid"] == first_pids[0] and rows[1]["pid"] != first_pids[1] and rows[1]["ssh"]
        ssh.POOL.discard(as_node(small, 2))
        assert ssh.run(as_node(small, 2), "hostname").stdout == "rdt-node2\n"
        assert ssh.run(as_node(small, 2), "cat /etc/etcd/marker").stdout == "kept\n", "a rebooted node keeps its disk"
        state = json.loads(cfg.state_file.read_text())
        pids = [pid for entry in state["nodes"].values() for pid in (entry["unshare_pid"], entry["init_pid"])]
    finally:
        ssh.POOL.close_all()
        down(cfg, log=lambda message: None)

    assert leftovers(cfg, pids + first_pids) == {"namespaces": [], "links": [], "routes": [], "processes": [],
                                                 "state_dir": False}
    assert network.guard_route_present(), "the shared sandbox still needs the guard route"
    assert ssh.run(as_node(sandbox, 1), "hostname").stdout == f"{sandbox.nodes[0].name}\n"
    assert Path("/pg").is_dir(), "mount points the shared sandbox uses are kept"


def test_a_sandbox_that_died_as_a_whole_starts_fresh(sandbox, tmp_path):
    """Every node gone without `down` (host restart, killed session): `up` clears the remains instead of
    starting services from their old data."""
    cfg = SandboxConfig(state_dir=tmp_path / "state", prefix="rdz", bridge_cidr="198.18.0.113/28",
                        first_ip="198.18.0.115", deployment="sandbox-stale")
    messages = []
    try:
        old = up(cfg, 2, install=False, log=messages.append)
        ssh.run(as_node(old, 1), "echo old > /etc/etcd/marker")
        dead = json.loads(cfg.state_file.read_text())["nodes"]
        for entry in dead.values():
            os.kill(entry["init_pid"], signal.SIGKILL)
            os.kill(entry["unshare_pid"], signal.SIGKILL)
        deadline = time.monotonic() + 10  # SIGKILL is delivered asynchronously
        while any(nodes.is_ours(e["init_pid"], cfg, int(n)) for n, e in dead.items()) and time.monotonic() < deadline:
            time.sleep(0.05)
        ssh.POOL.close_all()
        messages.clear()
        new = up(cfg, 2, install=False, log=messages.append)
        assert any("whose nodes all stopped without `sandbox down`" in m for m in messages), messages
        assert all(row["running"] and row["ssh"] for row in status(cfg))
        assert ssh.run(as_node(new, 1), "test -e /etc/etcd/marker", check=False).exit_code == 1
    finally:
        ssh.POOL.close_all()
        down(cfg, log=lambda message: None)
    assert leftovers(cfg, [])["namespaces"] == [] and not cfg.state_dir.exists()


def test_without_privileges_one_line_and_non_zero_exit():
    with tempfile.TemporaryDirectory() as var:
        os.chmod(var, 0o777)
        env = {**os.environ, "SECRET_KEY": "x", "RDS_VAR_DIR": var, "DATABASE_URL": f"sqlite:///{var}/db"}
        proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
                               "manage.py", "sandbox", "up"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "sandbox: needs root with CAP_NET_ADMIN and CAP_SYS_ADMIN to create network and mount namespaces "
        "(real nodes need none of this)"]
