"""Making sure a node has the programs a role needs, installing the Debian packages that are missing."""
from tasks import ssh

# program → Debian package
PGSQL_PROGRAMS = {
    "/usr/lib/postgresql/{v}/bin/postgres": "postgresql-{v}",
    "/usr/bin/patroni": "patroni",
    "/usr/sbin/pgbouncer": "pgbouncer",
    "/usr/sbin/haproxy": "haproxy",
    "/usr/bin/pgbackrest": "pgbackrest",
    "/usr/bin/curl": "curl",
    "/usr/bin/socat": "socat",
}
ETCD_PROGRAMS = {"/usr/bin/etcd": "etcd-server", "/usr/bin/etcdctl": "etcd-client"}


def missing(node, programs: dict) -> list[str]:
    """Packages whose program is not on the node (one SSH round trip)."""
    paths = list(programs)
    script = " ".join(f"test -x {ssh.build(p)} || echo {ssh.build(p)};" for p in paths)
    absent = ssh.run(node, ssh.build("sh", "-c", script), timeout=20).stdout.split()
    return sorted({programs[p] for p in absent})


def ensure(ctx, node, programs: dict):
    """Install what is missing with apt-get; log what was installed."""
    packages = missing(node, programs)
    if not packages:
        return
    ctx.log(f"installing {', '.join(packages)}", node=node.ip)
    env = ("env", "DEBIAN_FRONTEND=noninteractive")
    result = ssh.run(node, ssh.build(*env, "apt-get", "install", "-y", "-q", *packages), check=False, timeout=900)
    if result.exit_code != 0:
        ssh.run(node, ssh.build(*env, "apt-get", "update", "-q"), timeout=600)
        ssh.run(node, ssh.build(*env, "apt-get", "install", "-y", "-q", *packages), timeout=900)
    ctx.note_change(f"installed {', '.join(packages)}", node=node.ip)
