"""HBA rules → pg_hba.conf and pgbouncer pgb_hba.conf lines.

Rules are Pigsty's default ones (`pg_default_hba_rules`, `pgb_default_hba_rules`) plus the deployment's and the
cluster's HBARule rows, ordered by `order` (rules without one come last, at 1000, in creation order). Aliases
expand as Pigsty does: addr local → a `local` line; localhost → a `local` line (pgBouncer reaches PostgreSQL
through the socket) plus 127.0.0.1/32 and ::1/128; intra → the deployment's
intra_cidrs; infra → the INFRA node IPs; admin → `admin_ip` (else the INFRA nodes); world → 0.0.0.0/0 and ::/0.
auth pwd/sha/scram → scram-sha-256; md5 → md5; ssl → hostssl + scram-sha-256 (ssl-md5, ssl-sha likewise);
cert → hostssl cert; deny → reject; ident/peer/os → ident on host lines, peer on local lines (pgbouncer has no
ident: refused on host lines). `role` scopes a rule to instances of that pg_role (offline also matches
pg_offline_query replicas); with no instance given only common rules apply."""
import ipaddress
import re
from dataclasses import dataclass

from django.db.models import Q

from clusters.models import HBARule

from .context import ADMIN, DBSU, MONITOR, REPLICATOR, admin_ips, infra_ips, members

DEFAULT_ORDER = 1000
USER_ALIASES = {"${dbsu}": DBSU, "${repl}": REPLICATOR, "${monitor}": MONITOR, "${admin}": ADMIN}
TOKEN = re.compile(r"^[A-Za-z0-9_$+@.-]+(,[A-Za-z0-9_$+@.-]+)*$")
PASSWORD_AUTH = {"pwd": "scram-sha-256", "sha": "scram-sha-256", "scram": "scram-sha-256", "md5": "md5",
                 "ssl": "scram-sha-256", "ssl-sha": "scram-sha-256", "ssl-md5": "md5"}
SSL_AUTH = ("ssl", "ssl-sha", "ssl-md5", "cert")
OS_AUTH = ("ident", "peer", "os")


@dataclass(frozen=True)
class Rule:
    user: str
    db: str
    addr: str
    auth: str
    title: str = ""
    order: int = DEFAULT_ORDER
    role: str = "common"


def _rules(*specs) -> tuple:
    return tuple(Rule(*spec) for spec in specs)


PG_DEFAULT_RULES = _rules(
    ("${dbsu}", "all", "local", "ident", "dbsu access via local os user ident", 100),
    ("${dbsu}", "replication", "local", "ident", "dbsu replication from local os ident", 150),
    ("${repl}", "replication", "localhost", "pwd", "replicator replication from localhost", 200),
    ("${repl}", "replication", "intra", "pwd", "replicator replication from intranet", 250),
    ("${repl}", "postgres", "intra", "pwd", "replicator postgres db from intranet", 300),
    ("${monitor}", "all", "localhost", "pwd", "monitor from localhost with password", 350),
    ("${monitor}", "all", "infra", "pwd", "monitor from infra host with password", 400),
    ("${admin}", "all", "infra", "ssl", "admin @ infra nodes with pwd & ssl", 450),
    ("${admin}", "all", "world", "ssl", "admin @ everywhere with ssl & pwd", 500),
    ("+dbrole_readonly", "all", "localhost", "pwd", "pgbouncer read/write via local socket", 550),
    ("+dbrole_readonly", "all", "intra", "pwd", "read/write biz user via password", 600),
    ("+dbrole_offline", "all", "intra", "pwd", "allow etl offline tasks from intranet", 650),
)
PGB_DEFAULT_RULES = _rules(
    ("${dbsu}", "pgbouncer", "local", "peer", "dbsu local admin access with os ident", 100),
    ("all", "all", "localhost", "pwd", "allow all user local access with pwd", 150),
    ("${monitor}", "pgbouncer", "intra", "pwd", "monitor access via intranet with pwd", 200),
    ("${monitor}", "all", "world", "deny", "reject all other monitor access addr", 250),
    ("${admin}", "all", "intra", "pwd", "admin access via intranet with pwd", 300),
    ("${admin}", "all", "world", "deny", "reject all other admin access addr", 350),
    ("all", "all", "intra", "pwd", "allow all user intra access with pwd", 400),
)


class HBAError(ValueError):
    """A rule that cannot be written as an HBA line."""


def patroni_lines(cluster) -> list[str]:
    """What Patroni's own connections need, ahead of every rule so none can shadow them: replication from the
    local socket and localhost, and replication plus pg_rewind (superuser on db postgres) from every member."""
    lines = ["# patroni: replication and pg_rewind between members",
             "local   replication  all                         scram-sha-256",
             f"host    replication  {REPLICATOR:<12} 127.0.0.1/32       scram-sha-256"]
    for instance in members(cluster):
        cidr = host_cidr(instance.node.ip)
        lines.append(f"host    replication  {REPLICATOR:<12} {cidr:<18} scram-sha-256")
        lines.append(f"host    postgres     {DBSU:<12} {cidr:<18} scram-sha-256")
    return lines


def host_cidr(ip: str) -> str:
    address = ipaddress.ip_address(ip)
    return f"{address}/{address.max_prefixlen}"


def rules_for(cluster, rule_set: str, instance=None) -> list:
    """Default and declared rules of a rule set (postgres or pgbouncer) that apply to the instance, in order."""
    defaults = PG_DEFAULT_RULES if rule_set == "postgres" else PGB_DEFAULT_RULES
    declared = HBARule.objects.filter(Q(cluster__isnull=True) | Q(cluster=cluster), deployment=cluster.deployment,
                                      rule_set=rule_set).order_by("id")
    rules = list(defaults) + list(declared)
    applicable = [r for r in rules if _applies(r.role or "common", instance)]
    return sorted(applicable, key=lambda r: DEFAULT_ORDER if r.order is None else r.order)


def _applies(role: str, instance) -> bool:
    if role == "common":
        return True
    if instance is None:
        return False
    if role == "offline":
        return instance.pg_role == "offline" or instance.pg_offline_query
    return instance.pg_role == role


def lines(cluster, rule_set: str, instance=None) -> list[str]:
    """The HBA lines of a rule set, each rule preceded by its title as a comment."""
    out = []
    for rule in rules_for(cluster, rule_set, instance):
        raw = getattr(rule, "rules", None)
        out.append(f"# {_one_line(rule.title or 'rule')}")
        out += [_raw_line(line) for line in raw] if raw else expand(rule, cluster.deployment, rule_set)
    return out


def expand(rule, deployment, rule_set: str = "postgres") -> list[str]:
    """One rule as HBA lines: one per address it stands for."""
    user = USER_ALIASES.get(rule.user, rule.user)
    for name, value in (("user", user), ("db", rule.db)):
        if not TOKEN.match(value or ""):
            raise HBAError(f"HBA rule {rule.title or rule}: invalid {name} {value!r}")
    socket = rule.addr == "local" or (rule.addr == "localhost" and rule.auth != "cert")
    lines = [f"local   {rule.db:<12} {user:<27} {_local_method(rule.auth)}"] if socket else []
    if rule.addr == "local":
        return lines
    kind, method = _host_method(rule.auth, rule_set)
    return lines + [f"{kind:<7} {rule.db:<12} {user:<12} {addr:<18} {method}"
                    for addr in _addresses(rule.addr, deployment)]


def _local_method(auth: str) -> str:
    if auth in OS_AUTH:
        return "peer"
    if auth == "cert":
        raise HBAError("auth cert needs a network address, not the local socket")
    return _method(auth)


def _host_method(auth: str, rule_set: str) -> tuple[str, str]:
    if auth in OS_AUTH:
        if rule_set == "pgbouncer":
            raise HBAError(f"pgbouncer has no ident authentication over the network (auth {auth})")
        return "host", "ident"
    return ("hostssl" if auth in SSL_AUTH else "host"), _method(auth)


def _method(auth: str) -> str:
    if auth in PASSWORD_AUTH:
        return PASSWORD_AUTH[auth]
    if auth in ("trust", "cert"):
        return auth
    if auth == "deny":
        return "reject"
    raise HBAError(f"unknown HBA auth {auth!r}")


def _addresses(addr: str, deployment) -> list[str]:
    if addr == "localhost":
        return ["127.0.0.1/32", "::1/128"]
    if addr == "world":
        return ["0.0.0.0/0", "::/0"]
    if addr == "intra":
        cidrs = deployment.intra_cidrs or []
    elif addr == "infra":
        cidrs = infra_ips(deployment)
    elif addr == "admin":
        cidrs = admin_ips(deployment)
    else:
        cidrs = [addr]
    try:
        return [str(ipaddress.ip_network(c if "/" in c else host_cidr(c), strict=False)) for c in cidrs]
    except ValueError:
        raise HBAError(f"invalid HBA address {addr!r}") from None


def _raw_line(line: str) -> str:
    if "\n" in line or "\r" in line:
        raise HBAError("a raw HBA line cannot contain a newline")
    return line.strip()


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
