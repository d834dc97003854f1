"""A real Celery worker process for end-to-end tests, on the test database and a test Redis DB.

`celery_worker_process` (session) starts `celery -A rdsconsole worker -B` (with its beat, polling clusters every
POLL_INTERVAL s) on the test database, so jobs launched by tests (committed rows) are run by a separate process
exactly as in production. It yields a small handle that can kill the worker (SIGKILL to its process group, as a
crash would) and start it again.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
POLL_INTERVAL = 2


class WorkerProcess:
    def __init__(self, env: dict, log_path: Path):
        self.env, self.log_path, self.proc = env, log_path, None

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "rdsconsole", "worker", "--beat", "--loglevel", "INFO",
             "--concurrency", "2", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited ({self.proc.returncode}); see {self.log_path}")
            if b"ready." in self.log_path.read_bytes():
                return
            time.sleep(0.2)
        raise RuntimeError(f"celery worker did not become ready; see {self.log_path}")

    def kill(self):
        """SIGKILL the worker and its pool processes at once (a crash, not a shutdown); returns once none of
        them runs any more (the pool processes may stay zombies until they are reaped)."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while group_running(self.proc.pid):
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker process group {self.proc.pid} still running after SIGKILL")
            time.sleep(0.05)

    def stop(self):
        """Warm shutdown; returns once no process of the worker's group runs (pool processes and the embedded
        beat hold database connections until they are gone, and the test database is dropped next)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        if self.proc is None:
            return
        for then in (signal.SIGKILL, None):
            deadline = time.monotonic() + 30
            while group_running(self.proc.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not group_running(self.proc.pid):
                return
            if then is not None:
                os.killpg(self.proc.pid, then)
        raise RuntimeError(f"worker process group {self.proc.pid} still running after SIGKILL")


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    env = dict(os.environ)
    with django_db_blocker.unblock():
        test_db = connection.settings_dict["NAME"]
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        pytest.skip("end-to-end tests need DATABASE_URL on PostgreSQL")
    env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + test_db
    env["REDIS_URL"] = settings.CELERY_BROKER_URL
    env["RDS_SECRETS_KEYS"] = ",".join(settings.SECRETS_KEYS)
    env["SECRET_KEY"] = settings.SECRET_KEY
    env["RDS_POLL_INTERVAL"] = str(POLL_INTERVAL)
    worker = WorkerProcess(env, artifacts_dir() / "celery-worker.log")
    purge(env)
    worker.start()
    yield worker
    worker.stop()


def artifacts_dir() -> Path:
    """Where test sessions leave logs and screenshots (RDS_TEST_ARTIFACTS, default test-artifacts/)."""
    artifacts = Path(os.environ.get("RDS_TEST_ARTIFACTS", ROOT / "test-artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    return artifacts


def group_running(pgid: int) -> bool:
    """Whether a process of the group still runs (zombies do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def purge(env):
    subprocess.run([sys.executable, "-m", "celery", "-A", "rdsconsole", "purge", "-f"], cwd=ROOT, env=env,
                   capture_output=True, timeout=60)
