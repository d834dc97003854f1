"""The "check node" operation: can we reach it over SSH, may we use sudo, what is it (OS, kernel, CPU, memory, disk) and
which of the binaries rdsconsole drives are installed. One SSH command gathers everything; the result is
stored on the node (`facts`, `status`, `checked_at`).
"""
from django.utils import timezone

from tasks import ssh

# fact name -> candidate paths (the first existing one is reported)
BINARIES = {
    "postgres": ["/usr/lib/postgresql/15/bin/postgres", "/usr/pgsql-15/bin/postgres"],
    "pg_ctl": ["/usr/lib/postgresql/15/bin/pg_ctl", "/usr/pgsql-15/bin/pg_ctl"],
    "initdb": ["/usr/lib/postgresql/15/bin/initdb", "/usr/pgsql-15/bin/initdb"],
    "pg_basebackup": ["/usr/lib/postgresql/15/bin/pg_basebackup", "/usr/pgsql-15/bin/pg_basebackup"],
    "psql": ["/usr/bin/psql", "/usr/lib/postgresql/15/bin/psql", "/usr/pgsql-15/bin/psql"],
    "patroni": ["/usr/bin/patroni", "/usr/local/bin/patroni"],
    "patronictl": ["/usr/bin/patronictl", "/usr/local/bin/patronictl"],
    "etcd": ["/usr/bin/etcd", "/usr/local/bin/etcd"],
    "etcdctl": ["/usr/bin/etcdctl", "/usr/local/bin/etcdctl"],
    "pgbackrest": ["/usr/bin/pgbackrest"],
    "haproxy": ["/usr/sbin/haproxy", "/usr/bin/haproxy"],
    "pgbouncer": ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"],
    "node_exporter": ["/usr/bin/prometheus-node-exporter", "/usr/bin/node_exporter"],
    "pg_exporter": ["/usr/bin/prometheus-postgres-exporter", "/usr/bin/pg_exporter"],
    "supervisord": ["/usr/bin/supervisord"],
    "systemctl": ["/usr/bin/systemctl", "/bin/systemctl"],
}
TIMEOUT = 30


def probe_script() -> str:
    """A POSIX shell script printing `key=value` lines (run through sudo for non-root users)."""
    lines = [
        'echo "user=$(id -un)"',
        'echo "hostname=$(hostname)"',
        'echo "kernel=$(uname -r)"',
        'echo "arch=$(uname -m)"',
        '. /etc/os-release 2>/dev/null; echo "os=${PRETTY_NAME:-unknown}"; echo "os_id=${ID:-}";'
        ' echo "os_version=${VERSION_ID:-}"',
        'echo "cpus=$(nproc)"',
        "echo \"memory_bytes=$(awk '/^MemTotal:/ {print $2 * 1024}' /proc/meminfo)\"",
        "echo \"disk=$(df -P -B1 / | awk 'NR==2 {print $2, $4}')\"",
        'echo "init=$(cat /proc/1/comm)"',
    ]
    for name, paths in BINARIES.items():
        tests = " || ".join(f"{{ {ssh.build('test', '-x', p)} && echo {ssh.build('bin.' + name + '=' + p)}; }}"
                            for p in paths)
        lines.append(f"{tests} || echo {ssh.build('bin.' + name + '=')}")
    return "\n".join(lines)


def parse(output: str) -> dict:
    raw = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    disk_total, _, disk_free = raw.get("disk", "").partition(" ")
    return {
        "ssh_reachable": True,
        "user": raw.get("user", ""),
        "hostname": raw.get("hostname", ""),
        "os": raw.get("os", ""),
        "os_id": raw.get("os_id", ""),
        "os_version": raw.get("os_version", ""),
        "kernel": raw.get("kernel", ""),
        "arch": raw.get("arch", ""),
        "cpus": _int(raw.get("cpus")),
        "memory_bytes": _int(raw.get("memory_bytes")),
        "disk_total_bytes": _int(disk_total),
        "disk_free_bytes": _int(disk_free),
        "init": raw.get("init", ""),
        "binaries": {k[4:]: v for k, v in raw.items() if k.startswith("bin.") and v},
        "missing_binaries": sorted(k[4:] for k, v in raw.items() if k.startswith("bin.") and not v),
    }


def _int(text) -> int | None:
    try:
        return int(float(text))
    except (TypeError, ValueError):
        return None


def sudo_ok(node) -> bool:
    """Root needs no sudo; other users need passwordless sudo (or the password of a password credential)."""
    if node.ssh_user == "root":
        return True
    return ssh.run(node, ssh.build("true"), sudo=True, check=False, timeout=TIMEOUT).exit_code == 0


def check_node(node) -> dict:
    """Gather facts over SSH, save them on the node with its status, and return them."""
    try:
        facts = {**parse(ssh.run(node, probe_script(), timeout=TIMEOUT, sudo=False).stdout), "sudo": sudo_ok(node)}
        node.status = "reachable"
    except ssh.SSHError as exc:
        facts = {"ssh_reachable": False, "error": str(exc)}
        node.status = "unreachable"
    node.facts = facts
    node.checked_at = timezone.now()
    node.save(update_fields=["facts", "status", "checked_at"])
    return facts
