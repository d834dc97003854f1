"""Install the Debian packages sandbox nodes run, once, without leaving host services from them running.

Nodes share the host's binaries. Package maintainer scripts are kept from starting services by a
`policy-rc.d` that denies every start (put in place only for the install, unless one already exists); any
process of those packages that still appears during the install is stopped by PID. Processes that ran
before — such as the host's own PostgreSQL — are never touched.
"""
import os
import signal
import subprocess
import time
from pathlib import Path

PACKAGES = [
    "postgresql-15", "patroni", "etcd-server", "pgbackrest", "haproxy", "pgbouncer", "openssh-server",
    "supervisor", "prometheus-node-exporter", "prometheus-postgres-exporter",
    "etcd-client", "python3-psycopg2", "python3-etcd", "iproute2", "curl", "socat",
]
# process names (/proc/PID/comm, truncated by the kernel to 15 characters) of the packages' daemons
SERVICE_BINARIES = {
    "postgres", "haproxy", "pgbouncer", "etcd", "sshd", "supervisord", "patroni",
    "prometheus-node", "prometheus-post",
}
POLICY_RC = Path("/usr/sbin/policy-rc.d")
DENY_ALL = "#!/bin/sh\n# written by rdsconsole sandbox for the duration of a package install\nexit 101\n"


class PackageError(RuntimeError):
    pass


def missing(packages=PACKAGES) -> list[str]:
    proc = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", *packages],
                          capture_output=True, text=True)
    installed = {line.split()[0] for line in proc.stdout.splitlines() if line.endswith(" installed")}
    return [p for p in packages if p not in installed]


def service_pids() -> set[int]:
    """PIDs of processes whose command name belongs to one of the packages' services."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                comm = (entry / "comm").read_text().strip()
            except OSError:
                continue
            if comm in SERVICE_BINARIES:
                pids.add(int(entry.name))
    return pids


def _apt_install(names: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *names],
                          capture_output=True, text=True, env=env)


def _stop_new_services(before: set[int]) -> list[int]:
    started = sorted(service_pids() - before)
    for pid in started:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in started):
        time.sleep(0.1)
    return started


def ensure_installed(log=print) -> list[str]:
    """Install what is missing; returns the names installed (empty when nothing was missing)."""
    names = missing()
    if not names:
        return []
    log(f"installing {' '.join(names)}")
    before = service_pids()
    own_policy = not POLICY_RC.exists()
    if own_policy:
        POLICY_RC.write_text(DENY_ALL)
        POLICY_RC.chmod(0o755)
    try:
        proc = _apt_install(names)
        if proc.returncode != 0:
            subprocess.run(["apt-get", "update"], capture_output=True, text=True)
            proc = _apt_install(names)
    finally:
        if own_policy:
            POLICY_RC.unlink()
        stopped = _stop_new_services(before)
    if stopped:
        log(f"stopped services the install started: pids {stopped}")
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise PackageError(f"apt-get install failed:\n{tail}")
    return names
