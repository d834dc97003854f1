"""Benchmark: `sandbox up` of 3 nodes from nothing, `sandbox down`, and command round-trip time over a pooled
connection vs. a new connection per command.

Runs its own sandbox (prefix "rdb", 198.18.0.64/28) so a running shared sandbox is not disturbed.
Needs root. Usage: .venv/bin/python bench/bench_sandbox.py [--rounds 3] [--commands 200]
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tasks import ssh  # noqa: E402
from tasks.sandbox import SandboxConfig, down, up  # noqa: E402
from tasks.sandbox.lifecycle import NO_PRIVILEGES, has_privileges  # noqa: E402
from tasks.sandbox.packages import ensure_installed  # noqa: E402

NODES = 3


def quiet(message):
    pass


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def node_of(sandbox):
    member = sandbox.nodes[0]
    credential = SimpleNamespace(kind="ssh_key", secret=sandbox.private_key, passphrase="")
    return SimpleNamespace(ip=member.ip, hostname=member.name, ssh_port=22, ssh_user="root", credential=credential,
                           host_key=member.host_key)


def round_trips(node, commands: int) -> tuple[float, float]:
    """Median seconds per `true` over the pooled connection, and with a new connection per command."""
    ssh.run(node, "true")
    pooled = [timed(lambda: ssh.run(node, "true"))[0] for _ in range(commands)]

    def fresh():
        with ssh.connect(node) as conn:
            conn.run("true")

    new = [timed(fresh)[0] for _ in range(max(10, commands // 10))]
    return statistics.median(pooled), statistics.median(new)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--commands", type=int, default=200)
    args = parser.parse_args()
    if not has_privileges():
        sys.exit(NO_PRIVILEGES)
    ensure_installed(quiet)
    with tempfile.TemporaryDirectory(prefix="rdb-") as state:
        cfg = SandboxConfig(state_dir=Path(state) / "sandbox", prefix="rdb", bridge_cidr="198.18.0.65/28",
                            first_ip="198.18.0.67", deployment="sandbox-bench")
        ups, downs = [], []
        try:
            for _ in range(args.rounds):
                seconds, sandbox = timed(lambda: up(cfg, NODES, install=False, log=quiet))
                ups.append(seconds)
                idempotent, _ = timed(lambda: up(cfg, NODES, install=False, log=quiet))
                pooled, new = round_trips(node_of(sandbox), args.commands)
                ssh.POOL.close_all()
                downs.append(timed(lambda: down(cfg, log=quiet))[0])
        finally:
            ssh.POOL.close_all()
            down(cfg, log=quiet)
    print(f"sandbox up --nodes {NODES} from down: median {statistics.median(ups):.2f} s "
          f"(runs: {', '.join(f'{s:.2f}' for s in ups)}); idempotent re-up {idempotent:.2f} s")
    print(f"sandbox down: median {statistics.median(downs):.2f} s")
    print(f"command round trip (`true`): pooled {pooled * 1000:.1f} ms, new connection {new * 1000:.1f} ms, "
          f"ratio {new / pooled:.1f}x")


if __name__ == "__main__":
    main()
