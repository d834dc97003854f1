"""Benchmark: point-in-time branch restore of a ~1 GB database through the panel, next to the same `pgbackrest
restore` run by hand. A one-node source cluster (shared posix repository) gets a pgbench database of the given
scale (64 ≈ 1 GB), a full backup, and a row committed after a time T; then, per round:

- **panel**: `POST /restores/` (branch to T into a one-node cluster) approved by a second user → the job ends
  (restore, recovery, Patroni adopting the data, services, roles, the branch's stanza, verification); the clock
  runs from the approval to the job's end, and the job's own restore + recovery steps are reported apart;
- **by hand**: on another node, what a DBA types for the same target (Pigsty's pg-pitr): `pgbackrest restore
  --type=time --target=T --target-action=promote`, start PostgreSQL, wait until it promoted.

Both check the restored rows (the row committed after T must be missing). Runs its own stack (bench/harness.py:
sandbox "rpt" on 198.18.0.160/28). Needs root.
Usage: .venv/bin/python bench/bench_pitr.py [--scale 64] [--rounds 1]
"""
import argparse
import statistics
import time

from harness import DB, PASSWORD, USER, Stack

SOURCE = "pg-pitr"
SHARED_REPO = {"pgbackrest_method": "shared",
               "pgbackrest_repo": {"shared": {"path": "/pg/shared/backup", "retention_full_type": "count",
                                              "retention_full": 2}}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=64, help="pgbench scale (64 is about 1 GB)")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with Stack("rpt", "198.18.0.161/28", "198.18.0.163") as stack:
        import psycopg
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Permission
        from rest_framework.test import APIClient

        from tasks import ssh
        from tasks.operations import psql
        from tasks.operations import restore as recovery
        from tasks.render import render_pgbackrest

        client = stack.client
        stack.apply_etcd()
        created = client.post("/api/v1/clusters/", {
            "deployment": stack.deployment.pk, "name": SOURCE, "pg_rto": "fast", "vars": SHARED_REPO,
            "instances": [{"ip": stack.ips[0], "pg_seq": 1, "pg_role": "primary"}],
            "users": [{"name": USER, "password": PASSWORD, "roles": ["dbrole_readwrite"], "pgbouncer": True}],
            "databases": [{"name": DB, "owner": USER}]}, format="json")
        assert created.status_code == 201, created.data
        source_id, source_node = created.data["id"], stack.nodes[0]
        stack.post_job(f"/api/v1/clusters/{source_id}/apply/")

        started = time.monotonic()
        ssh.run(source_node, ssh.build("runuser", "-u", "postgres", "--", "pgbench", "-i", "-q", "-s",
                                       str(args.scale), "-h", "/var/run/postgresql", DB), timeout=3600)
        loaded = time.monotonic() - started
        size = psql.query_json(source_node, f"SELECT to_json(pg_database_size('{DB}'))")
        started = time.monotonic()
        stack.post_job(f"/api/v1/clusters/{source_id}/backups/", {"type": "full"})
        backed_up = time.monotonic() - started

        args_db = dict(dbname=DB, user=USER, password=PASSWORD, autocommit=True, connect_timeout=10)
        with psycopg.connect(host=source_node.ip, port=5436, **args_db) as conn:
            conn.execute("CREATE TABLE pitr_marker (id int)")
            conn.execute("INSERT INTO pitr_marker VALUES (1)")
            time.sleep(1.5)  # past the second the backup ended: pgBackRest's first usable time target
            target = conn.execute("SELECT clock_timestamp()").fetchone()[0].isoformat()
            time.sleep(0.5)
            conn.execute("INSERT INTO pitr_marker VALUES (2)")
        segment = psql.query_json(source_node, "SELECT to_json(pg_walfile_name(pg_switch_wal()))")
        while psql.query_json(source_node, "SELECT to_json(coalesce(last_archived_wal, '')) "
                                           "FROM pg_stat_archiver") < segment:
            time.sleep(0.2)
        stack.post_job(f"/api/v1/clusters/{source_id}/backups/refresh/")

        approver = get_user_model().objects.create_user("bench-approver", "a@example.com", "bench-Pass-word-2")
        approver.user_permissions.add(Permission.objects.get(codename="approve_restorerequest"))
        approving = APIClient()
        approving.force_authenticate(get_user_model().objects.get(pk=approver.pk))

        def accounts(node) -> int:
            """pgbench's rows, counted as the database superuser (pgbench created them as postgres)."""
            return psql.query_json(node, "SELECT to_json(count(*)) FROM pgbench_accounts", db=DB)

        def marker_rows(ip: str, port: int) -> list[int]:
            with psycopg.connect(host=ip, port=port, **args_db) as conn:
                return [r[0] for r in conn.execute("SELECT id FROM pitr_marker ORDER BY id")]

        panel, panel_steps, by_hand = [], [], []
        for round_no in range(1, args.rounds + 1):
            name = f"pg-branch{round_no}"
            asked = client.post("/api/v1/restores/", {
                "cluster": source_id, "mode": "branch", "new_cluster": name, "nodes": [stack.ips[1]],
                "target_type": "time", "target": target, "reason": "bench"}, format="json")
            assert asked.status_code == 201, asked.data
            started = time.monotonic()
            approved = approving.post(f"/api/v1/restores/{asked.data['id']}/approve/", {}, format="json")
            job = stack.wait_job(approved.data["job"], timeout=3600)
            panel.append(time.monotonic() - started)
            panel_steps.append(restore_steps_seconds(client, job["id"]))
            assert marker_rows(stack.ips[1], 5436) == [1], "the panel's branch holds the rows committed by T"
            assert accounts(stack.nodes[1]) == args.scale * 100000, "the panel's branch holds the whole database"
            stack.destroy(asked.data["new_cluster"], name)
            assert client.delete(f"/api/v1/clusters/{asked.data['new_cluster']}/").status_code == 204

            hand_node = stack.nodes[2]
            source = stack.deployment.pg_clusters.get(pk=source_id).instances.get()
            ssh.upload(hand_node, "/etc/pgbackrest/pgbackrest.conf", render_pgbackrest(source), owner="postgres",
                       mode=0o600)
            recovery.discard(hand_node, 15)
            time_target = asked.data["target"]
            started = time.monotonic()
            recovery.restore(hand_node, SOURCE, "time", time_target, True)
            recovery.recover(hand_node, 15, interval=0.1)
            by_hand.append(time.monotonic() - started)
            ssh.run(hand_node, ssh.build("runuser", "-u", "postgres", "--", "psql", "-h", "/var/run/postgresql",
                                         "-AtXc", "SELECT 1"), timeout=30)
            rows = psql.query_json(hand_node, "SELECT json_agg(id ORDER BY id) FROM pitr_marker", db=DB)
            assert rows == [1], f"the hand restore holds the rows committed by T: {rows}"
            assert accounts(hand_node) == args.scale * 100000, "the hand restore holds the whole database"
            recovery.discard(hand_node, 15)

        print(f"\nPITR branch restore of a {size / 2**30:.2f} GiB database (pgbench scale {args.scale}; loaded in "
              f"{loaded:.1f} s, full backup through the panel {backed_up:.1f} s), {args.rounds} round(s):")
        print(f"  panel (approve → branch cluster running and verified): median {statistics.median(panel):.2f} s "
              f"(runs: {', '.join(f'{x:.2f}' for x in panel)})")
        restore_part = [s["restore"] + s["recover"] for s in panel_steps]
        rest = statistics.median(panel) - statistics.median(restore_part)
        print(f"    of which restore + recovery steps: median {statistics.median(restore_part):.2f} s; the rest "
              f"(Patroni, services, roles, stanza, checks) {rest:.2f} s")
        print(f"  by hand (pgbackrest restore + start PostgreSQL until promoted): median "
              f"{statistics.median(by_hand):.2f} s (runs: {', '.join(f'{x:.2f}' for x in by_hand)})")
        hand = statistics.median(by_hand)
        print(f"  ratio panel / by hand: {statistics.median(panel) / hand:.2f}x; "
              f"restore + recovery steps / by hand: {statistics.median(restore_part) / hand:.2f}x")


def restore_steps_seconds(client, job_id: int) -> dict:
    """Seconds of the job's restore and recovery steps, from the times of its step lines."""
    from datetime import datetime

    lines = client.get(f"/api/v1/jobs/{job_id}/log/").data["lines"]
    starts = [(line["text"].split(": ", 1)[1], datetime.fromisoformat(line["time"])) for line in lines
              if line["text"].startswith("step ") and ": " in line["text"]]
    durations = {}
    for (name, at), (_, following) in zip(starts, starts[1:]):
        durations[name] = (following - at).total_seconds()
    return {"restore": next(v for k, v in durations.items() if k.startswith("restore ")),
            "recover": next(v for k, v in durations.items() if k.startswith("recover "))}


if __name__ == "__main__":
    main()
