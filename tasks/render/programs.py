"""The long-running programs of a node (etcd, patroni, pgbouncer, haproxy) as ServiceSpecs, rendered through
the generic supervisor program / systemd unit templates of `tasks.services` (one template per manager, not one
per program). Each runs in the foreground with `directory=/` (a sandbox node's private /tmp hides the host's)."""
from tasks.services import ServiceSpec

PROGRAMS = {
    "etcd": {"command": ["/usr/bin/etcd", "--config-file", "/etc/etcd/etcd.conf"], "user": "etcd",
             "description": "etcd member (DCS for Patroni)"},
    # /pg/bin/patroni: Debian's Patroni with a 0.1 s shutdown poll (ansible_assets/pgsql/patroni-launcher.py)
    "patroni": {"command": ["/usr/bin/python3", "/pg/bin/patroni", "/etc/patroni/patroni.yml"], "user": "postgres",
                "description": "Patroni HA agent for PostgreSQL", "stop_timeout": 60},
    "pgbouncer": {"command": ["/usr/sbin/pgbouncer", "/etc/pgbouncer/pgbouncer.ini"], "user": "postgres",
                  "description": "pgBouncer connection pool"},
    "haproxy": {"command": ["/usr/sbin/haproxy", "-W", "-db", "-f", "/etc/haproxy/haproxy.cfg"], "user": "root",
                "description": "HAProxy service router", "reload_signal": "USR2"},  # master-worker reload
}


def program(name: str, **overrides) -> ServiceSpec:
    """The spec of a known program, fields overridable (e.g. another config path)."""
    if name not in PROGRAMS:
        raise ValueError(f"unknown program {name!r}: one of {', '.join(PROGRAMS)}")
    return ServiceSpec(name=name, **{**PROGRAMS[name], "directory": "/", **overrides})
