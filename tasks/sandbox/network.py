"""The sandbox network: guard route, bridge, and one network namespace with a veth per node.

All changes go through `ip` with argument lists (no shell). Creation is idempotent: an object that already
exists is left as it is.
"""
import ipaddress
import json
import subprocess

from .config import GUARD_CIDR, GUARD_METRIC, SandboxConfig


class NetworkError(RuntimeError):
    pass


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise NetworkError(f"ip {' '.join(args)}: {proc.stderr.strip()}")
    return proc


def _json(*args: str) -> list:
    out = ip("-j", *args).stdout.strip()
    return json.loads(out) if out else []


def guard_route_present() -> bool:
    return any(r.get("dst") == GUARD_CIDR and r.get("metric") == GUARD_METRIC
               for r in _json("route", "show", "type", "unreachable"))


def ensure_guard_route() -> bool:
    """Add the unreachable guard route unless present; returns True when this call added it."""
    if guard_route_present():
        return False
    ip("route", "add", "unreachable", GUARD_CIDR, "metric", str(GUARD_METRIC))
    return True


def guarded_addresses() -> list[str]:
    """Addresses inside the guarded range still configured in the root namespace (other sandboxes)."""
    guard = ipaddress.ip_network(GUARD_CIDR)
    return [a["local"] for link in _json("addr", "show") for a in link.get("addr_info", [])
            if a.get("family") == "inet" and ipaddress.ip_address(a["local"]) in guard]


def remove_guard_route() -> None:
    if guard_route_present():
        ip("route", "del", "unreachable", GUARD_CIDR, "metric", str(GUARD_METRIC))


def links() -> set[str]:
    return {link["ifname"] for link in _json("link", "show")}


def namespaces() -> set[str]:
    return {ns["name"] for ns in _json("netns", "list")}


def ensure_bridge(cfg: SandboxConfig) -> None:
    if cfg.bridge not in links():
        ip("link", "add", cfg.bridge, "type", "bridge")
    addrs = {f"{a['local']}/{a['prefixlen']}" for link in _json("addr", "show", "dev", cfg.bridge)
             for a in link.get("addr_info", []) if a.get("family") == "inet"}
    if cfg.bridge_cidr not in addrs:
        ip("addr", "add", cfg.bridge_cidr, "dev", cfg.bridge)
    ip("link", "set", cfg.bridge, "up")


def ensure_node_link(cfg: SandboxConfig, n: int) -> None:
    """Namespace `cfg.node_name(n)` with eth0 at the node's IP, its peer enslaved to the bridge."""
    ns = cfg.node_name(n)
    if ns not in namespaces():
        ip("netns", "add", ns)
    if cfg.veth_host(n) not in links():
        ip("link", "add", cfg.veth_host(n), "type", "veth", "peer", "name", "eth0", "netns", ns)
    ip("link", "set", cfg.veth_host(n), "master", cfg.bridge, "up")
    node_cidr = f"{cfg.node_ip(n)}/{cfg.network.prefixlen}"
    present = {f"{a['local']}/{a['prefixlen']}" for link in _json("-n", ns, "addr", "show", "dev", "eth0")
               for a in link.get("addr_info", [])}
    if node_cidr not in present:
        ip("-n", ns, "addr", "add", node_cidr, "dev", "eth0")
    ip("-n", ns, "link", "set", "eth0", "up")
    ip("-n", ns, "link", "set", "lo", "up")


def namespace_pids(ns: str) -> list[int]:
    proc = ip("netns", "pids", ns, check=False)
    return [int(p) for p in proc.stdout.split()] if proc.returncode == 0 else []


def remove_node_link(cfg: SandboxConfig, n: int) -> None:
    if cfg.node_name(n) in namespaces():
        ip("netns", "del", cfg.node_name(n))
    if cfg.veth_host(n) in links():
        # deleting the namespace destroys the pair asynchronously: the host end may vanish meanwhile
        proc = ip("link", "del", cfg.veth_host(n), check=False)
        if proc.returncode != 0 and "Cannot find device" not in proc.stderr:
            raise NetworkError(f"ip link del {cfg.veth_host(n)}: {proc.stderr.strip()}")


def node_numbers_present(cfg: SandboxConfig) -> list[int]:
    """Node numbers whose namespace or host-side veth exists (what `down` must remove)."""
    found = set()
    for name in namespaces():
        head, _, num = name.rpartition("-node")
        if head == cfg.prefix and num.isdigit():
            found.add(int(num))
    for name in links():
        if name.startswith(f"{cfg.prefix}-n") and name.endswith("h") and name[len(cfg.prefix) + 2:-1].isdigit():
            found.add(int(name[len(cfg.prefix) + 2:-1]))
    return sorted(found)


def remove_bridge(cfg: SandboxConfig) -> None:
    if cfg.bridge in links():
        ip("link", "del", cfg.bridge)
