"""Bring a sandbox up, report its status, and tear it down leaving nothing behind.

`up` is idempotent: what exists is kept, what is missing is created, a node whose launcher died is
restarted. `down` works from the state file and from the names the config implies, so it also cleans up
after a crashed `up`.
"""
import json
import os
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

from . import hostrecord, keys, network, nodes, packages
from .config import SandboxConfig

CAP_NET_ADMIN = 12
CAP_SYS_ADMIN = 21
NO_PRIVILEGES = ("sandbox: needs root with CAP_NET_ADMIN and CAP_SYS_ADMIN to create network and mount "
                 "namespaces (real nodes need none of this)")


class SandboxUnavailable(RuntimeError):
    """The host cannot make namespaces (not root, or missing capabilities)."""


@dataclass(frozen=True)
class SandboxNode:
    n: int
    name: str
    ip: str
    host_key: str


@dataclass(frozen=True)
class SandboxInfo:
    config: SandboxConfig
    nodes: list[SandboxNode]
    private_key: str
    public_key: str


def has_privileges(status_text: str | None = None, euid: int | None = None) -> bool:
    """True when running as root with CAP_NET_ADMIN and CAP_SYS_ADMIN in the effective set."""
    status_text = status_text if status_text is not None else Path("/proc/self/status").read_text()
    euid = os.geteuid() if euid is None else euid
    cap_eff = next((int(line.split()[1], 16) for line in status_text.splitlines() if line.startswith("CapEff:")), 0)
    needed = (1 << CAP_NET_ADMIN) | (1 << CAP_SYS_ADMIN)
    return euid == 0 and cap_eff & needed == needed


def _load_state(cfg: SandboxConfig) -> dict:
    if cfg.state_file.exists():
        return json.loads(cfg.state_file.read_text())
    return {"nodes": {}}


def _save_state(cfg: SandboxConfig, state: dict) -> None:
    cfg.state_file.write_text(json.dumps(state, indent=1))


def _client_key(cfg: SandboxConfig) -> tuple[str, str]:
    private_file, public_file = cfg.client_key_file, cfg.client_key_file.with_suffix(".pub")
    if not private_file.exists():
        private, public = keys.generate_ed25519(f"rdsconsole-sandbox@{cfg.prefix}")
        private_file.touch(mode=0o600)
        private_file.write_text(private)
        public_file.write_text(public + "\n")
    return private_file.read_text(), public_file.read_text().strip()


def _claim_host_paths() -> None:
    """Guard route first, then the mount points missing on the host; both recorded for the last `down`."""
    record = hostrecord.load()
    if network.ensure_guard_route():
        record["guard_route"] = True
    for target in nodes.mount_points():
        path = Path(target)
        if not path.exists():
            path.mkdir(parents=True)
            record["mountpoints"].append(target)
    hostrecord.save(record)


def up(cfg: SandboxConfig, count: int = 4, install: bool = True, log=print) -> SandboxInfo:
    """Ensure nodes 1..count run (nodes above count that already run are kept)."""
    if not has_privileges():
        raise SandboxUnavailable(NO_PRIVILEGES)
    if install:
        packages.ensure_installed(log)
    if _stale(cfg):
        log(f"removing the remains of a sandbox in {cfg.state_dir} whose nodes all stopped without "
            f"`sandbox down` (host restarted or processes killed); starting fresh nodes")
        down(cfg, log=log)
    _claim_host_paths()
    cfg.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    cfg.shared_dir.mkdir(exist_ok=True)
    nodes.chown(cfg.shared_dir, "postgres", "postgres")
    launcher = cfg.state_dir / "launcher.py"
    shutil.copyfile(nodes.ASSETS / "launcher.py", launcher)
    _, public_key = _client_key(cfg)
    network.ensure_bridge(cfg)
    state = _load_state(cfg)
    numbers = sorted(set(range(1, count + 1)) | {int(n) for n in state["nodes"]})
    hosts = nodes.hosts_file(cfg, max(numbers))
    started = []
    for n in numbers:
        network.ensure_node_link(cfg, n)
        host_key = nodes.prepare(cfg, n, public_key, hosts)
        entry = state["nodes"].get(str(n), {})
        if not (entry.get("init_pid") and nodes.is_ours(entry["init_pid"], cfg, n)):
            proc = nodes.start(cfg, n, launcher)
            entry = {"unshare_pid": proc.unshare_pid, "init_pid": proc.init_pid}
            started.append(n)
        state["nodes"][str(n)] = {**entry, "host_key": host_key}
        _save_state(cfg, state)
    for n in numbers:
        if not nodes.wait_ready(cfg.node_ip(n), state["nodes"][str(n)]["init_pid"]):
            raise RuntimeError(f"sshd of {cfg.node_name(n)} did not answer; see {cfg.node_dir(n) / 'launcher.log'}")
    if started:
        log(f"started {', '.join(cfg.node_name(n) for n in started)}")
    return info(cfg)


def _stale(cfg: SandboxConfig) -> bool:
    """True when nodes of this sandbox left disks behind but none of them runs: a sandbox that died as a
    whole (host restart, killed session) is not resumed, since its services would start from old data; one
    crashed node among running ones keeps its disk, as a server that reboots does."""
    entries = _load_state(cfg)["nodes"]
    numbers = {int(n) for n in entries}
    if (cfg.state_dir / "nodes").is_dir():
        numbers |= {int(d.name[4:]) for d in (cfg.state_dir / "nodes").iterdir() if d.name[4:].isdigit()}
    running = [n for n in numbers if nodes.is_ours(entries.get(str(n), {}).get("init_pid", 0), cfg, n)]
    return bool(numbers) and not running


def info(cfg: SandboxConfig) -> SandboxInfo | None:
    """The running sandbox described by its state, or None when it has none."""
    state = _load_state(cfg)
    if not state["nodes"]:
        return None
    private, public = _client_key(cfg)
    members = [SandboxNode(n=int(n), name=cfg.node_name(int(n)), ip=cfg.node_ip(int(n)), host_key=e["host_key"])
               for n, e in sorted(state["nodes"].items(), key=lambda item: int(item[0]))]
    return SandboxInfo(config=cfg, nodes=members, private_key=private, public_key=public)


def status(cfg: SandboxConfig) -> list[dict]:
    state = _load_state(cfg)
    present = set(network.node_numbers_present(cfg)) | {int(n) for n in state["nodes"]}
    rows = []
    for n in sorted(present):
        pid = state["nodes"].get(str(n), {}).get("init_pid")
        running = bool(pid) and nodes.is_ours(pid, cfg, n)
        rows.append({"node": cfg.node_name(n), "ip": cfg.node_ip(n), "pid": pid if running else None,
                     "running": running, "ssh": running and nodes.ssh_ready(cfg.node_ip(n))})
    return rows


def down(cfg: SandboxConfig, log=print) -> None:
    """Stop every node, delete namespaces, veths and bridge, then the state directory; the last sandbox
    down on the host also removes the guard route and the mount points `up` created."""
    if not has_privileges():
        raise SandboxUnavailable(NO_PRIVILEGES)
    state = _load_state(cfg)
    numbers = sorted(set(network.node_numbers_present(cfg)) | {int(n) for n in state["nodes"]})
    nodes.stop({int(n): nodes.NodeProcess(e["unshare_pid"], e["init_pid"]) for n, e in state["nodes"].items()}, cfg)
    for n in numbers:
        if cfg.node_name(n) in network.namespaces():
            for pid in network.namespace_pids(cfg.node_name(n)):
                os.kill(pid, signal.SIGKILL)
        network.remove_node_link(cfg, n)
    network.remove_bridge(cfg)
    if numbers:
        log(f"stopped {', '.join(cfg.node_name(n) for n in numbers)}")
    _release_host_paths(log)
    if cfg.state_dir.exists() and len(cfg.state_dir.resolve().parts) > 2:
        shutil.rmtree(cfg.state_dir)


def _release_host_paths(log) -> None:
    if network.guarded_addresses():
        return
    record = hostrecord.load()
    if record["guard_route"]:
        network.remove_guard_route()
    for target in record["mountpoints"]:
        try:
            os.rmdir(target)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log(f"kept {target}: {exc.strerror}")
    hostrecord.save({"guard_route": False, "mountpoints": []})
