"""Benchmark: unplanned failover. The primary's node is crashed as a whole (SIGKILL to the sandbox node's init
process: its Patroni, PostgreSQL, etcd member and sshd go at once) while a client on another member inserts every
20 ms through 5433; measured is the time from the crash to the first acknowledged insert after it, next to the
passive RTO bounds of Pigsty's table (DOMAIN.md), in the fast and norm modes. The crashed node is started again
after each run and rejoins as a replica before the next one. Also reported: when the panel's poller recorded
the failover event (RDS_POLL_INTERVAL, default 10 s; here 2 s).

Runs its own stack (bench/harness.py: sandbox "rfo" on 198.18.0.144/28). Needs root.
Usage: .venv/bin/python bench/bench_failover.py [--runs 3] [--modes fast,norm]
"""
import argparse
import os
import signal
import statistics
import time

os.environ.setdefault("RDS_POLL_INTERVAL", "2")

from harness import DB, PASSWORD, USER, Stack, quiet, wait_ready  # noqa: E402

NAME = "pg-failover"
PIGSTY_RTO = {"fast": (16, 23, 29), "norm": (27, 34, 41), "safe": (53, 66, 78), "wide": (104, 127, 150)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modes", default="fast,norm")
    args = parser.parse_args()
    with Stack("rfo", "198.18.0.145/28", "198.18.0.147") as stack:
        import psycopg

        from clusters import models
        from tasks import ssh
        from tasks.operations.livestate import record_live_state
        from tasks.operations.patroni import wait_for
        from tasks.sandbox import status, up
        from tests.e2e.writer import Writer

        stack.apply_etcd()
        cluster_id = stack.create_cluster(NAME, "fast")
        stack.post_job(f"/api/v1/clusters/{cluster_id}/apply/")

        def healthy():
            try:
                state = record_live_state(models.PGCluster.objects.get(pk=cluster_id), timeout=5)
            except (ssh.SSHError, TimeoutError):
                return False
            replicas = [m for m in state["members"] if m["Role"] != "Leader"]
            return (state["leader"] and len(replicas) == 2 and len(state["streaming"]) == 2
                    and all(m["Lag in MB"] == 0 for m in replicas) and state)

        def one_run() -> tuple[float, float | None]:
            state = wait_for(healthy, timeout=300, what="3 members, replicas streaming")
            leader_ip = next(m["Host"] for m in state["members"] if m["Member"] == state["leader"])
            survivor = next(ip for ip in stack.ips if ip != leader_ip)
            with psycopg.connect(host=survivor, port=5433, dbname=DB, user=USER, password=PASSWORD,
                                 autocommit=True) as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS bench_failover (id int)")
            models.ClusterEvent.objects.filter(cluster_id=cluster_id).delete()
            writer = Writer(survivor, DB, USER, PASSWORD, table="bench_failover")
            writer.start()
            time.sleep(1)
            init_pid = next(row["pid"] for row in status(stack.cfg) if row["ip"] == leader_ip)
            crashed = time.monotonic()
            os.kill(init_pid, signal.SIGKILL)
            while not any(t > crashed for _, t in writer.acked) and time.monotonic() < crashed + 300:
                time.sleep(0.05)
            writer.stop.set()
            writer.join(10)
            first = next((t for _, t in writer.acked if t > crashed), None)
            event = None
            deadline = time.monotonic() + 30
            while event is None and time.monotonic() < deadline:
                event = models.ClusterEvent.objects.filter(cluster_id=cluster_id, kind="failover").first()
                time.sleep(0.2)
            seen = time.monotonic() if event else None
            ssh.POOL.close_all()
            up(stack.cfg, stack.count, install=False, log=quiet)
            return (first - crashed if first else float("inf")), (seen - crashed if seen else None)

        print(f"unplanned failover (primary's node crashed), 3 members, client inserting every 20 ms through 5433 "
              f"of a surviving member; {args.runs} runs per mode:", flush=True)
        for mode in args.modes.split(","):
            stack.post_job(f"/api/v1/clusters/{cluster_id}/configure/", {"pg_rto": mode})
            wait_ready(stack.ips)
            report(mode, [one_run() for _ in range(args.runs)])


def report(mode: str, runs: list[tuple[float, float | None]]):
    rto = [r for r, _ in runs]
    low, avg, high = PIGSTY_RTO[mode]
    events = [e for _, e in runs if e is not None]
    print(f"  {mode}: crash → first write median {statistics.median(rto):.1f} s (runs: "
          f"{', '.join(f'{r:.1f}' for r in rto)}); Pigsty's passive RTO {low} / {avg} / {high} s (min/avg/max); "
          f"median / Pigsty avg {statistics.median(rto) / avg:.2f}x", flush=True)
    print(f"  {mode}: failover event recorded {statistics.median(events):.1f} s after the crash (median of "
          f"{len(events)}; poll interval {os.environ['RDS_POLL_INTERVAL']} s)" if events else
          f"  {mode}: no failover event recorded", flush=True)

if __name__ == "__main__":
    main()
