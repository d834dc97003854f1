"""Benchmark: the console's cluster list and dashboard with 1,000 clusters (3 members each, a backup catalogue
each): server render time (median of 20 requests through Django's test client, the whole view and template)
and the number of SQL queries, next to the same pages with 10 clusters — the count must not grow.

Needs PostgreSQL on 127.0.0.1:5432 (its own database `rdsconsole_bench`, dropped at the end); no sandbox.
Usage: .venv/bin/python bench/bench_console.py [--clusters 1000] [--requests 20]
"""
import argparse
import shutil
import statistics
import time

from harness import BENCH_DB, STATE, _admin_sql

TARGET_MS = 300


def populate(count: int, start: int):
    from datetime import timedelta

    from django.utils import timezone

    from backups.models import Backup
    from clusters.models import Deployment, Node, PGCluster, PGInstance

    deployment, _ = Deployment.objects.get_or_create(name="bench")
    now = timezone.now()
    for n in range(start, start + count):
        cluster = PGCluster.objects.create(deployment=deployment, name=f"pg-bench-{n}", status="running",
                                           live_leader=f"pg-bench-{n}-1")
        for seq in (1, 2, 3):
            node = Node.objects.create(deployment=deployment, ip=f"10.{n // 250}.{n % 250}.{seq}")
            PGInstance.objects.create(cluster=cluster, node=node, pg_seq=seq,
                                      pg_role="primary" if seq == 1 else "replica",
                                      live_role="primary" if seq == 1 else "replica", live_state="running",
                                      live_lag_mb=0, live_updated=now)
        Backup.objects.create(cluster=cluster, label=f"20261125-0100{n:04d}F"[:17], type="full",
                              started_at=now - timedelta(hours=2), stopped_at=now - timedelta(hours=1), size=1,
                              delta=1, repo_size=1, repo_delta=1, wal_start="0", wal_stop="0", lsn_start="0/0",
                              lsn_stop="0/0")


def measure(client, url: str, requests: int) -> tuple[float, int]:
    """(median ms, SQL statements of one request); statements counted with an execute wrapper, which survives
    the connection being closed and opened again around each request (CONN_MAX_AGE 0)."""
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    _admin_sql(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    _admin_sql(f"CREATE DATABASE {BENCH_DB}")
    try:
        import django
        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client

        call_command("migrate", verbosity=0)
        client = Client()
        client.force_login(get_user_model().objects.create_superuser("bench", "b@example.com", "bench-Pass-1"))
        populate(10, 0)
        small = {url: measure(client, url, args.requests) for url in ("/clusters/", "/")}
        populate(args.clusters - 10, 10)
        large = {url: measure(client, url, args.requests) for url in ("/clusters/", "/")}
        connections.close_all()
    finally:
        _admin_sql(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        shutil.rmtree(STATE, ignore_errors=True)
    print(f"\nconsole pages, server render (median of {args.requests}), target < {TARGET_MS} ms at "
          f"{args.clusters} clusters:")
    for url, name in (("/clusters/", "cluster list"), ("/", "dashboard")):
        print(f"  {name}: 10 clusters {small[url][0]:.1f} ms ({small[url][1]} queries); {args.clusters} clusters "
              f"{large[url][0]:.1f} ms ({large[url][1]} queries); ratio {large[url][0] / small[url][0]:.1f}x")


if __name__ == "__main__":
    main()
