"""The panel stack a benchmark runs against, separate from anything else on the machine: its own sandbox (its
own prefix and addresses), its own panel database on 127.0.0.1:5432, its own Redis DB and a real Celery worker.

    with Stack("rdp", "198.18.0.81/28", "198.18.0.83") as stack:
        stack.apply_etcd(); cluster_id = stack.create_cluster("pg-bench", "fast"); stack.apply(cluster_id)

Import this module before Django: it points DATABASE_URL, REDIS_URL and RDS_VAR_DIR at the bench's own. Its
temporary directory (worker log, keys) is removed at the end, or kept with the worker log after a failure.
"""
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = "rdsconsole_bench"
STATE = Path(tempfile.mkdtemp(prefix="rds-bench-"))
os.environ.update(DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}", REDIS_URL="redis://127.0.0.1:6379/14",
                  RDS_VAR_DIR=str(STATE / "var"), DJANGO_SETTINGS_MODULE="rdsconsole.settings",
                  ALLOWED_HOSTS="testserver", RDS_DEV="1")

import django  # noqa: E402
import psycopg  # noqa: E402

USER, PASSWORD, DB = "dbuser_bench", "Bench-user-pass-1", "bench"


def quiet(message):
    pass


def _admin_sql(statement: str):
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(statement)


class Stack:
    def __init__(self, prefix: str, bridge_cidr: str, first_ip: str, nodes: int = 3):
        self.prefix, self.bridge_cidr, self.first_ip, self.count = prefix, bridge_cidr, first_ip, nodes

    def __enter__(self):
        from tasks.sandbox.lifecycle import NO_PRIVILEGES, has_privileges
        if not has_privileges():
            sys.exit(NO_PRIVILEGES)
        _admin_sql(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        _admin_sql(f"CREATE DATABASE {BENCH_DB}")
        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from rest_framework.test import APIClient

        from tasks.sandbox import SandboxConfig, up
        from tasks.sandbox.packages import ensure_installed
        from tasks.sandbox.registry import register
        from tests.fixtures_worker import WorkerProcess, purge

        call_command("migrate", verbosity=0)
        ensure_installed(quiet)
        self.cfg = SandboxConfig(state_dir=STATE / "sandbox", prefix=self.prefix, bridge_cidr=self.bridge_cidr,
                                 first_ip=self.first_ip, deployment=f"sandbox-{self.prefix}")
        env = dict(os.environ)
        self.worker = WorkerProcess(env, STATE / "celery-worker.log")
        self.sandbox = up(self.cfg, self.count, install=False, log=quiet)
        self.deployment = register(self.sandbox)
        self.nodes = list(self.deployment.nodes.order_by("ip"))
        self.ips = [n.ip for n in self.nodes]
        purge(env)
        self.worker.start()
        user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-Pass-word-1")
        self.client = APIClient()
        self.client.force_authenticate(user)
        return self

    def __exit__(self, *exc):
        from django.db import connections

        from tasks import ssh
        from tasks.sandbox import down
        self.worker.stop()
        ssh.POOL.close_all()
        down(self.cfg, log=quiet)
        connections.close_all()
        _admin_sql(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        if exc[0] is None:
            shutil.rmtree(STATE)
        else:
            print(f"kept {STATE / 'celery-worker.log'} for the failure above", file=sys.stderr)

    def wait_job(self, job_id: int, timeout: float = 600) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = self.client.get(f"/api/v1/jobs/{job_id}/").data
            if body["status"] not in ("queued", "running"):
                if body["status"] != "succeeded":
                    raise RuntimeError(f"job {job_id} {body['status']}: {body['error']}")
                return body
            time.sleep(0.1)
        raise TimeoutError(f"job {job_id}")

    def post_job(self, url: str, body=None) -> dict:
        response = self.client.post(url, body or {}, format="json")
        if response.status_code != 202:
            raise RuntimeError(f"{url}: {response.status_code} {response.data}")
        return self.wait_job(response.data["id"])

    def apply_etcd(self):
        etcd = self.client.post("/api/v1/etcd-clusters/", {
            "deployment": self.deployment.pk, "name": "etcd",
            "members": [{"ip": ip, "etcd_seq": seq} for seq, ip in enumerate(self.ips, 1)]}, format="json").data
        return self.post_job(f"/api/v1/etcd-clusters/{etcd['id']}/apply/")

    def create_cluster(self, name: str, rto: str = "fast") -> int:
        """A cluster of one primary and replicas on every node, with the bench's user and database."""
        response = self.client.post("/api/v1/clusters/", {
            "deployment": self.deployment.pk, "name": name, "pg_rto": rto,
            "instances": [{"ip": ip, "pg_seq": seq, "pg_role": "primary" if seq == 1 else "replica"}
                          for seq, ip in enumerate(self.ips, 1)],
            "users": [{"name": USER, "password": PASSWORD, "roles": ["dbrole_readwrite"], "pgbouncer": True}],
            "databases": [{"name": DB, "owner": USER}]}, format="json")
        if response.status_code != 201:
            raise RuntimeError(f"create {name}: {response.data}")
        return response.data["id"]

    def destroy(self, cluster_id: int, name: str):
        return self.post_job(f"/api/v1/clusters/{cluster_id}/destroy/", {"confirm": name})


def client_ready(ips) -> bool:
    """5433 writes, 5434 is a replica, 6432 answers — on every member."""
    try:
        for ip in ips:
            args = dict(host=ip, dbname=DB, user=USER, password=PASSWORD, connect_timeout=3, autocommit=True)
            with psycopg.connect(port=5433, **args) as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS bench_probe (id int, at timestamptz DEFAULT now())")
                conn.execute("INSERT INTO bench_probe (id) VALUES (0)")
            with psycopg.connect(port=5434, **args) as conn:
                if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    return False
            with psycopg.connect(port=6432, **args) as conn:
                conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def wait_ready(ips, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while not client_ready(ips):
        if time.monotonic() > deadline:
            raise TimeoutError("services not answering")
        time.sleep(0.1)
