"""Where a sandbox lives: its state directory, the names of its network objects and its node addresses.

Two sandboxes with different prefixes and subnets can coexist (the test suite brings up a small second one
inside 198.18.0.0/24 while the shared one runs); everything a sandbox creates is named from its config.
"""
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

GUARD_CIDR = "198.18.0.0/15"
GUARD_METRIC = 4000
DEFAULT_STATE_DIR = "/var/lib/rdsconsole-sandbox"
SHARED_MOUNT = "/pg/shared"


@dataclass(frozen=True)
class SandboxConfig:
    """Names and addresses of one sandbox; node `n` (1-based) is at `first_ip + n - 1`."""

    state_dir: Path
    prefix: str = "rds"
    bridge_cidr: str = "198.18.0.1/24"
    first_ip: str = "198.18.0.11"
    deployment: str = "sandbox"

    @classmethod
    def default(cls) -> "SandboxConfig":
        return cls(state_dir=Path(os.environ.get("RDS_SANDBOX_DIR") or DEFAULT_STATE_DIR))

    def __post_init__(self):
        if not ipaddress.ip_interface(self.bridge_cidr).network.subnet_of(ipaddress.ip_network(GUARD_CIDR)):
            raise ValueError(f"sandbox subnet {self.bridge_cidr} must lie inside the guarded {GUARD_CIDR}")

    @property
    def bridge(self) -> str:
        return f"{self.prefix}br0"

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.ip_interface(self.bridge_cidr).network

    @property
    def bridge_ip(self) -> str:
        return str(ipaddress.ip_interface(self.bridge_cidr).ip)

    def node_name(self, n: int) -> str:
        return f"{self.prefix}-node{n}"

    def node_ip(self, n: int) -> str:
        ip = ipaddress.ip_address(self.first_ip) + n - 1
        if ip not in self.network or ip == self.network.broadcast_address or str(ip) == self.bridge_ip:
            raise ValueError(f"node {n} does not fit in {self.network}")
        return str(ip)

    def veth_host(self, n: int) -> str:
        return f"{self.prefix}-n{n}h"

    def veth_node(self, n: int) -> str:
        return f"{self.prefix}-n{n}p"

    def node_dir(self, n: int) -> Path:
        return self.state_dir / "nodes" / f"node{n}"

    @property
    def shared_dir(self) -> Path:
        return self.state_dir / "shared"

    @property
    def state_file(self) -> Path:
        return self.state_dir / "state.json"

    @property
    def client_key_file(self) -> Path:
        return self.state_dir / "id_ed25519"
