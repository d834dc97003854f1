"""Benchmark: wall time from `POST /clusters/{id}/apply/` to every service of a 3-node cluster answering a real
client, next to the floor — the same steps as a hand-written paramiko script (bench/floor_provision.py).

Each round provisions from nothing (ETCD already running, data directories empty) through the panel (API →
Celery worker → SSH) and through the floor script, alternating which goes first, with a destroy job between.
The clock stops for both at the same client check: a write through 5433, a read-only session through 5434 and a
query through pgBouncer 6432, on every member.

Runs its own stack (bench/harness.py: sandbox "rdp" on 198.18.0.80/28, database `rdsconsole_bench`, Redis DB 14,
a Celery worker). Needs root. Usage: .venv/bin/python bench/bench_provision.py [--rounds 3] [--show-log]
"""
import argparse
import statistics
import time

from harness import Stack, wait_ready

NAME = "pg-bench"


def step_times(lines) -> dict:
    """Seconds per step, from the job log's 'step i/n: name' lines."""
    from django.utils.dateparse import parse_datetime
    marks = [(parse_datetime(line["time"]), line["text"].split(": ", 1)[1]) for line in lines
             if line["text"].startswith("step ")]
    ends = [t for t, _ in marks[1:]] + [parse_datetime(lines[-1]["time"])]
    return {name: (end - start).total_seconds() for (start, name), end in zip(marks, ends)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--show-log", action="store_true", help="print the last panel job's log with times")
    args = parser.parse_args()
    panel, floor, steps, logs, floor_phases = [], [], [], [], []
    with Stack("rdp", "198.18.0.81/28", "198.18.0.83") as stack:
        import paramiko

        import floor_provision
        from clusters import models
        from tasks.kinds.spec import ensure_cluster_passwords

        stack.apply_etcd()
        cluster_id = stack.create_cluster(NAME, "fast")
        ensure_cluster_passwords(models.PGCluster.objects.get(pk=cluster_id))
        key = paramiko.Ed25519Key.from_private_key_file(str(stack.cfg.client_key_file))

        def run_panel():
            started = time.perf_counter()
            job = stack.post_job(f"/api/v1/clusters/{cluster_id}/apply/")
            wait_ready(stack.ips)
            panel.append(time.perf_counter() - started)
            logs[:] = stack.client.get(f"/api/v1/jobs/{job['id']}/log/").data["lines"]
            steps.append(step_times(logs))

        def run_floor():
            prepared, sql_script = floor_provision.prepare(models.PGCluster.objects.get(pk=cluster_id))
            started = time.perf_counter()
            floor_phases.append(floor_provision.provision(prepared, sql_script, NAME, key))
            wait_ready(stack.ips)
            floor.append(time.perf_counter() - started)

        for index in range(args.rounds):
            for run in ((run_panel, run_floor) if index % 2 == 0 else (run_floor, run_panel)):
                run()
                stack.destroy(cluster_id, NAME)
    print(f"provision {NAME} (1 primary + 2 replicas), {args.rounds} rounds, apply → all services answer:")
    print(f"  panel (API → Celery → SSH): median {statistics.median(panel):.2f} s "
          f"(runs: {', '.join(f'{s:.2f}' for s in panel)})")
    print(f"  floor (hand-written paramiko script): median {statistics.median(floor):.2f} s "
          f"(runs: {', '.join(f'{s:.2f}' for s in floor)})")
    print(f"  ratio panel / floor: {statistics.median(panel) / statistics.median(floor):.2f}x")
    if args.show_log and logs:
        from django.utils.dateparse import parse_datetime
        first = parse_datetime(logs[0]["time"])
        for line in logs:
            print(f"  {(parse_datetime(line['time']) - first).total_seconds():7.2f} {line['node']:<12} {line['text']}")
    median_steps = {name: statistics.median(s[name] for s in steps) for name in steps[0]}
    print("  panel job steps (median s): " + ", ".join(f"{name} {sec:.2f}" for name, sec in median_steps.items()))
    print("  floor phases (median s): " + ", ".join(
        f"{name} {statistics.median(p[name] for p in floor_phases):.2f}" for name in floor_phases[0]))


if __name__ == "__main__":
    main()
