"""HAProxy's view of a cluster: each service (the four defaults and the custom pg_services) with its bind address,
health check and servers. Every member runs the same HAProxy, so the result does not depend on the instance.

dest: `postgres` → 5432, `pgbouncer` → 6432, a number → that port, `default` → `pg_default_service_dest`
(pgbouncer unless set). Health checks go to Patroni's REST API on 8008 with the service's `check` path, timed by
the cluster's RTO plan."""
import ipaddress
import re

from .context import PATRONI_PORT, PG_PORT, PGBOUNCER_PORT, members, var
from .routing import servers
from .rto import rto_plan

CHECK_PATH = re.compile(r"^/[A-Za-z0-9_./?=&%-]*$")
DEST_PORTS = {"postgres": PG_PORT, "pgbouncer": PGBOUNCER_PORT}
BALANCE = re.compile(r"^[a-z-]+( [A-Za-z0-9_-]+)?$")


def services(cluster) -> list[dict]:
    plan = rto_plan(cluster)
    instances = members(cluster)
    default_dest = var(cluster, "pg_default_service_dest", "pgbouncer")
    result = []
    for svc in cluster.services():
        port = _dest_port(default_dest if svc.get("dest", "default") == "default" else svc["dest"], svc)
        check = str(svc.get("check") or "/")
        if not CHECK_PATH.match(check):
            raise ValueError(f"{svc['cluster_service']}: invalid health check path {check!r}")
        balance = str(svc.get("balance") or "roundrobin")
        if not BALANCE.match(balance):
            raise ValueError(f"{svc['cluster_service']}: invalid balance {balance!r}")
        options = svc.get("options") or []
        result.append({
            "name": svc["cluster_service"],
            "bind": f"{_bind_ip(svc.get('ip') or '*', svc)}:{int(svc['port'])}",
            "maxconn": int(svc.get("maxconn") or 5000),
            "balance": balance,
            "check": check,
            "options": [options] if isinstance(options, str) else list(options),
            "default_server": (f"inter {plan['inter']} fastinter {plan['fastinter']} downinter {plan['downinter']} "
                               f"rise {plan['rise']} fall {plan['fall']} on-marked-down shutdown-sessions "
                               f"slowstart 30s maxconn 3000 maxqueue 128 weight 100"),
            "servers": [{"name": s.instance.name, "address": f"{s.instance.node.ip}:{port}",
                         "check_port": PATRONI_PORT, "backup": s.backup} for s in servers(svc, instances)],
        })
    return result


def _dest_port(dest, svc) -> int:
    if str(dest).isdigit() and 0 < int(dest) < 65536:
        return int(dest)
    if dest in DEST_PORTS:
        return DEST_PORTS[dest]
    raise ValueError(f"{svc['cluster_service']}: dest {dest!r} is not postgres, pgbouncer or a port")


def _bind_ip(ip: str, svc) -> str:
    if ip == "*":
        return ip
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        raise ValueError(f"{svc['cluster_service']}: bind ip {ip!r} is not * or an IP address") from None
    return str(address)
