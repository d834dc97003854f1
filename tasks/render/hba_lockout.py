"""Refusing an HBA rule set that locks out the system users. PostgreSQL uses the first pg_hba.conf line that
matches a connection; a `reject` line (auth deny) placed before the defaults, or no matching line at all, shuts
a user out. Probed on every member's rendered lines: the database superuser over the local socket (Patroni and
the panel's jobs), the replicator from every member (streaming replication) and the monitor from localhost
(the exporter)."""
import ipaddress

from .context import DBSU, MONITOR, REPLICATOR, members
from .hba import lines as hba_lines, patroni_lines

# system users' role memberships (tasks.operations.roles.default_roles), for `+group` user fields
MEMBER_OF = {REPLICATOR: {"pg_monitor", "dbrole_readonly"}, MONITOR: {"pg_monitor"}, DBSU: set()}


def probes(cluster) -> list[tuple[str, str, str, str, str | None]]:
    """(who, connection type, user, database, client address) of each connection that must stay possible."""
    found = [("the database superuser over the local socket", "local", DBSU, "postgres", None),
             ("the monitor user from localhost", "host", MONITOR, "postgres", "127.0.0.1")]
    found += [(f"the replicator from {i.node.ip}", "host", REPLICATOR, "replication", i.node.ip)
              for i in members(cluster)]
    return found


def first_match(lines: list[str], kind: str, user: str, db: str, address: str | None) -> str | None:
    """The first pg_hba line that matches the connection (plain, not SSL), or None."""
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if kind == "local":
            if fields[0] != "local" or len(fields) < 4:
                continue
            line_db, line_user = fields[1], fields[2]
        else:
            if fields[0] not in ("host", "hostnossl") or len(fields) < 5:
                continue
            line_db, line_user = fields[1], fields[2]
            if not _address_matches(fields[3], fields[4], address):
                continue
        if _db_matches(line_db, db, user) and _user_matches(line_user, user):
            return line
    return None


def problems(cluster) -> list[str]:
    """One message per system connection the cluster's rules would refuse on a member; [] when none."""
    found = []
    for instance in members(cluster):
        lines = patroni_lines(cluster) + hba_lines(cluster, "postgres", instance)
        for who, kind, user, db, address in probes(cluster):
            line = first_match(lines, kind, user, db, address)
            if line is None:
                found.append(f"{instance.name}: no rule admits {who} ({user})")
            elif line.split("#", 1)[0].split()[-1] == "reject":
                found.append(f"{instance.name}: {who} ({user}) would be locked out by the line '{line}', which "
                             f"matches first; put the rule after the defaults (order > 400) or narrow it")
    return found


def _db_matches(field: str, db: str, user: str) -> bool:
    for name in field.split(","):
        if name == db or (name == "all" and db != "replication") or (name == "sameuser" and db == user):
            return True
    return False


def _user_matches(field: str, user: str) -> bool:
    for name in field.split(","):
        if name in ("all", user) or (name.startswith("+") and name[1:] in MEMBER_OF.get(user, set())):
            return True
    return False


def _address_matches(address_field: str, maybe_mask: str, client: str | None) -> bool:
    if client is None:
        return False
    if address_field == "all":
        return True
    try:
        network = ipaddress.ip_network(address_field, strict=False) if "/" in address_field else \
            ipaddress.ip_network(f"{address_field}/{maybe_mask}", strict=False)
        return ipaddress.ip_address(client) in network
    except ValueError:
        return False
