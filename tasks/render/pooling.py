"""pgBouncer's view of a cluster: the databases it pools, the users it authenticates and their pool settings.

Passwords reach pgBouncer in plain text in userlist.txt (mode 0600, owned by postgres, like patroni.yml which
holds the superuser password anyway). A SCRAM verifier there would only let pgBouncer log in to PostgreSQL if
PostgreSQL stored the very same verifier (same salt), while roles are created with plain passwords that
PostgreSQL salts itself; plain text works with any server-side verifier and pgBouncer still authenticates
clients with SCRAM (pgb_hba.conf `scram-sha-256`)."""
from .context import ADMIN, MONITOR, system_passwords, var

# Pigsty's pg_default_roles entries that go to pgBouncer, with their pool settings.
SYSTEM_POOL_USERS = ((ADMIN, "pg_admin_password", "session", 16), (MONITOR, "pg_monitor_password", "session", 8))
POOL_MODES = ("session", "transaction", "statement")


def userlist(cluster) -> list[tuple[str, str]]:
    """(user, password) of every user pgBouncer accepts: the DBA, the monitor, and business users with
    pgbouncer: true and a password."""
    passwords = system_passwords(cluster)
    entries = {name: passwords[key] for name, key, _, _ in SYSTEM_POOL_USERS}
    for user in cluster.users.order_by("name"):
        if user.pgbouncer and user.password:
            entries[user.name] = user.password
    return sorted(entries.items())


def user_pools(cluster) -> list[tuple[str, dict]]:
    """[users] section entries: per-user pool_mode and max_user_connections."""
    pools = {name: {"pool_mode": mode, "max_user_connections": limit} for name, _, mode, limit in SYSTEM_POOL_USERS}
    for user in cluster.users.order_by("name"):
        if not user.pgbouncer:
            continue
        settings = {}
        if user.pool_mode:
            settings["pool_mode"] = pool_mode(user.pool_mode, user.name)
        if user.pool_connlimit is not None and user.pool_connlimit >= 0:
            settings["max_user_connections"] = user.pool_connlimit
        if settings:
            pools[user.name] = settings
    return sorted(pools.items())


def databases(cluster) -> list[tuple[str, dict]]:
    """[databases] entries: every database not marked pgbouncer: false, through the local socket."""
    entries = []
    for db in cluster.databases.order_by("name"):
        if db.pgbouncer is False:
            continue
        options = {"host": "/var/run/postgresql", "port": 5432, "dbname": db.name}
        for key, attr in (("pool_mode", "pool_mode"), ("pool_size", "pool_size"), ("reserve_pool", "pool_reserve"),
                          ("min_pool_size", "pool_size_min"), ("max_db_connections", "pool_connlimit"),
                          ("auth_user", "pool_auth_user")):
            value = getattr(db, attr)
            if value not in (None, ""):
                options[key] = value
        entries.append((db.name, options))
    return entries


def settings(cluster) -> dict:
    """[pgbouncer] tunables from Pigsty vars."""
    return {
        "pool_mode": pool_mode(var(cluster, "pgbouncer_poolmode", "transaction"), "pgbouncer_poolmode"),
        "max_client_conn": var(cluster, "pgbouncer_max_client_conn", 1000),
        "default_pool_size": var(cluster, "pgbouncer_default_pool_size", 20),
        "max_db_connections": var(cluster, "pgbouncer_max_db_conn", 100),
    }


def pool_mode(value: str, where: str) -> str:
    if value not in POOL_MODES:
        raise ValueError(f"{where}: pool mode {value!r} is not one of {', '.join(POOL_MODES)}")
    return value
