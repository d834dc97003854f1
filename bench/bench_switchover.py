"""Benchmark: write outage of a planned switchover, as a client inserting every 20 ms through 5433 sees it (the
longest gap between acknowledged inserts), median of N runs, in the fast and norm RTO modes:

- panel: `POST /clusters/{id}/switchover/` — the job drains the old primary in every member's HAProxy and puts
  the new one in the moment Patroni promotes it;
- Patroni alone: the same switchover asked of Patroni's REST API directly (what `patronictl switchover` does),
  HAProxy left to its health checks (rise × fastinter after the promotion).

Runs its own stack (bench/harness.py: sandbox "rsw" on 198.18.0.96/28). Needs root.
Usage: .venv/bin/python bench/bench_switchover.py [--runs 5] [--modes fast,norm]
"""
import argparse
import statistics
import time

from harness import DB, PASSWORD, USER, Stack, wait_ready

NAME = "pg-switch"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--modes", default="fast,norm")
    parser.add_argument("--verbose", action="store_true", help="print each run's gap and the client's errors")
    args = parser.parse_args()
    results = {}
    with Stack("rsw", "198.18.0.97/28", "198.18.0.99") as stack:
        import psycopg

        from clusters import models
        from tasks.operations.livestate import record_live_state
        from tasks.operations.patroni import answer, request, wait_for
        from tasks.render.context import system_passwords
        from tests.e2e.writer import Writer

        stack.apply_etcd()
        cluster_id = stack.create_cluster(NAME, "fast")

        def healthy():
            state = record_live_state(models.PGCluster.objects.get(pk=cluster_id))
            replicas = [m for m in state["members"] if m["Role"] != "Leader"]
            return state["leader"] and len(state["streaming"]) == len(replicas) and all(
                m["Lag in MB"] == 0 for m in replicas) and state

        def measured(switch) -> tuple[float, float | None]:
            state = wait_for(healthy, timeout=120, what="all replicas streaming")
            with psycopg.connect(host=stack.ips[0], port=5433, dbname=DB, user=USER, password=PASSWORD,
                                 autocommit=True) as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS bench_switch (id int)")
            writer = Writer(stack.ips[-1], DB, USER, PASSWORD, table="bench_switch")
            writer.start()
            time.sleep(1)
            reported = switch(state)
            switched = time.monotonic()
            while not any(t > switched + 2 for _, t in writer.acked) and time.monotonic() < switched + 60:
                time.sleep(0.1)
            writer.stop.set()
            writer.join(10)
            if args.verbose:
                times = [t for _, t in writer.acked]
                gap_end = max(zip(times, times[1:]), key=lambda p: p[1] - p[0])
                print(f"    {switch.__name__}: gap {gap_end[1] - gap_end[0]:.2f} s from {gap_end[0] - switched:+.2f} s "
                      f"(0 = job/request done); errors: " + "; ".join(
                          f"{t - switched:+.2f} {m}" for t, m in writer.errors))
            return writer.longest_gap(), reported

        def panel(state):
            job = stack.post_job(f"/api/v1/clusters/{cluster_id}/switchover/")
            return job["result"]["write_outage_s"]

        def patroni_alone(state):
            cluster = models.PGCluster.objects.get(pk=cluster_id)
            leader = cluster.instances.select_related("node").get(live_role="primary")
            candidate = next(i for i in cluster.instances.all() if i.live_state == "streaming")
            status, text = answer(request(leader.node, "POST", "/switchover", system_passwords(cluster)["patroni_password"],
                                          {"leader": leader.name, "candidate": candidate.name}))
            if status != 200:
                raise RuntimeError(f"Patroni refused the switchover (HTTP {status}): {text}")
            return None

        for mode in args.modes.split(","):
            models.PGCluster.objects.filter(pk=cluster_id).update(pg_rto=mode)  # built anew in this mode
            stack.post_job(f"/api/v1/clusters/{cluster_id}/apply/")
            wait_ready(stack.ips)
            gaps = {"panel": [], "patroni": []}
            outages = []
            for index in range(args.runs):
                for label, switch in ((("panel", panel), ("patroni", patroni_alone)) if index % 2 == 0
                                      else (("patroni", patroni_alone), ("panel", panel))):
                    gap, reported = measured(switch)
                    gaps[label].append(gap)
                    if reported is not None:
                        outages.append(reported)
            results[mode] = (gaps, outages)
            stack.destroy(cluster_id, NAME)
    print(f"planned switchover, 3 members, client inserting every 20 ms through 5433; {args.runs} runs each:")
    for mode, (gaps, outages) in results.items():
        panel_gap, patroni_gap = statistics.median(gaps["panel"]), statistics.median(gaps["patroni"])
        print(f"  {mode}: panel longest gap median {panel_gap:.2f} s (runs: "
              f"{', '.join(f'{g:.2f}' for g in gaps['panel'])}); job-reported outage median "
              f"{statistics.median(outages):.2f} s")
        print(f"  {mode}: Patroni alone, HAProxy by health checks: median {patroni_gap:.2f} s (runs: "
              f"{', '.join(f'{g:.2f}' for g in gaps['patroni'])}); ratio panel / Patroni alone "
              f"{panel_gap / patroni_gap:.2f}x")


if __name__ == "__main__":
    main()
