"""The roles a cluster must have — Pigsty's default roles, the system users and the business users of the
spec — and the SQL that brings a live cluster's roles to that state, statement by statement, each with a
human description of the change (never containing a password)."""
from dataclasses import dataclass, field

from psycopg import sql

from . import scram

ATTRIBUTES = ("login", "superuser", "createdb", "createrole", "inherit", "replication", "bypassrls")
KEYWORDS = {
    "login": ("LOGIN", "NOLOGIN"), "superuser": ("SUPERUSER", "NOSUPERUSER"), "createdb": ("CREATEDB", "NOCREATEDB"),
    "createrole": ("CREATEROLE", "NOCREATEROLE"), "inherit": ("INHERIT", "NOINHERIT"),
    "replication": ("REPLICATION", "NOREPLICATION"), "bypassrls": ("BYPASSRLS", "NOBYPASSRLS"),
}
DEFAULTS = {"login": True, "superuser": False, "createdb": False, "createrole": False, "inherit": True,
            "replication": False, "bypassrls": False}

# Pigsty's system user names.
DBSU, REPLICATOR, ADMIN, MONITOR = "postgres", "replicator", "dbuser_dba", "dbuser_monitor"


@dataclass
class RoleSpec:
    name: str
    attributes: dict = field(default_factory=dict)
    password: str = ""
    roles: list = field(default_factory=list)
    connlimit: int | None = None
    valid_until: str = ""
    comment: str = ""
    parameters: dict = field(default_factory=dict)
    # the spec is the whole truth (a business user): memberships it does not list are revoked, an expiry or a
    # connection limit it no longer sets is removed
    exclusive: bool = False

    def wanted(self, attribute):
        value = self.attributes.get(attribute)
        return DEFAULTS[attribute] if value is None else bool(value)


def default_roles(system_passwords: dict) -> list[RoleSpec]:
    """Pigsty's pg_default_roles: four NOLOGIN roles and the replicator, DBA and monitor users."""
    nologin = {"login": False}
    return [
        RoleSpec("dbrole_readonly", nologin, comment="role for global read-only access"),
        RoleSpec("dbrole_offline", nologin, comment="role for restricted read-only access"),
        RoleSpec("dbrole_readwrite", nologin, roles=["dbrole_readonly"], comment="role for global read-write access"),
        RoleSpec("dbrole_admin", nologin, roles=["pg_monitor", "dbrole_readwrite"], comment="role for object creation"),
        RoleSpec(REPLICATOR, {"replication": True}, system_passwords["pg_replication_password"],
                 roles=["pg_monitor", "dbrole_readonly"], comment="system replicator"),
        RoleSpec(ADMIN, {"superuser": True}, system_passwords["pg_admin_password"], roles=["dbrole_admin"],
                 comment="pgsql admin user"),
        RoleSpec(MONITOR, {}, system_passwords["pg_monitor_password"], roles=["pg_monitor"],
                 comment="pgsql monitor user", parameters={"log_min_duration_statement": "1000"}),
    ]


def from_user(user) -> RoleSpec:
    """A RoleSpec from a PGUser (pg_users entry)."""
    return RoleSpec(
        name=user.name,
        attributes={a: getattr(user, a) for a in ATTRIBUTES},
        password=user.password or "",
        roles=list(user.roles or []),
        connlimit=user.connlimit,
        valid_until=user.expire_at or "",
        comment=user.comment or "",
        parameters={k: str(v) for k, v in (user.parameters or {}).items()},
        exclusive=True,
    )


def drop(name: str) -> list[tuple[sql.Composable, str]]:
    """DROP ROLE; PostgreSQL refuses while the role owns objects or holds privileges, naming them."""
    return [(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)), f"dropped role {name}")]


STATE_SQL = """
SELECT json_agg(json_build_object(
  'name', a.rolname, 'login', a.rolcanlogin, 'superuser', a.rolsuper, 'createdb', a.rolcreatedb,
  'createrole', a.rolcreaterole, 'inherit', a.rolinherit, 'replication', a.rolreplication,
  'bypassrls', a.rolbypassrls, 'connlimit', a.rolconnlimit, 'password', a.rolpassword,
  'valid_until', to_char(a.rolvaliduntil, 'YYYY-MM-DD'),
  'comment', shobj_description(a.oid, 'pg_authid'),
  'config', (SELECT s.setconfig FROM pg_db_role_setting s WHERE s.setrole = a.oid AND s.setdatabase = 0),
  'member_of', (SELECT coalesce(json_agg(b.rolname), '[]') FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid
                WHERE m.member = a.oid)))
FROM pg_authid a
"""


def plan(spec: RoleSpec, current: dict | None) -> list[tuple[sql.Composable, str]]:
    """Statements bringing one role from `current` (a row of STATE_SQL, or None) to `spec`."""
    name = sql.Identifier(spec.name)
    steps = []
    if current is None:
        options = [sql.SQL(KEYWORDS[a][0 if spec.wanted(a) else 1]) for a in ATTRIBUTES]
        if spec.password:
            options.append(sql.SQL("PASSWORD {}").format(sql.Literal(spec.password)))
        if spec.connlimit is not None:
            options.append(sql.SQL("CONNECTION LIMIT {}").format(sql.Literal(int(spec.connlimit))))
        if spec.valid_until:
            options.append(sql.SQL("VALID UNTIL {}").format(sql.Literal(spec.valid_until)))
        steps.append((sql.SQL("CREATE ROLE {} WITH {}").format(name, sql.SQL(" ").join(options)),
                      f"created role {spec.name}"))
        current = {"member_of": [], "comment": None, "config": None}
    else:
        changed = [a for a in ATTRIBUTES if bool(current.get(a)) != spec.wanted(a)]
        if changed:
            options = sql.SQL(" ").join(sql.SQL(KEYWORDS[a][0 if spec.wanted(a) else 1]) for a in changed)
            steps.append((sql.SQL("ALTER ROLE {} WITH {}").format(name, options),
                          f"role {spec.name}: {', '.join(changed)}"))
        if spec.password and not scram.matches(current.get("password"), spec.password):
            steps.append((sql.SQL("ALTER ROLE {} WITH PASSWORD {}").format(name, sql.Literal(spec.password)),
                          f"role {spec.name}: password set"))
        if spec.connlimit is not None and current.get("connlimit") != int(spec.connlimit):
            steps.append((sql.SQL("ALTER ROLE {} WITH CONNECTION LIMIT {}").format(
                name, sql.Literal(int(spec.connlimit))), f"role {spec.name}: connection limit {spec.connlimit}"))
        if spec.valid_until and current.get("valid_until") != spec.valid_until:
            steps.append((sql.SQL("ALTER ROLE {} VALID UNTIL {}").format(name, sql.Literal(spec.valid_until)),
                          f"role {spec.name}: valid until {spec.valid_until}"))
    for parent in spec.roles:
        if parent not in (current.get("member_of") or []):
            steps.append((sql.SQL("GRANT {} TO {}").format(sql.Identifier(parent), name),
                          f"granted {parent} to {spec.name}"))
    if spec.comment and current.get("comment") != spec.comment:
        steps.append((sql.SQL("COMMENT ON ROLE {} IS {}").format(name, sql.Literal(spec.comment)),
                      f"role {spec.name}: comment"))
    if spec.exclusive:
        steps += _remove_undeclared(spec, current)
    config = set(current.get("config") or [])
    for key, value in spec.parameters.items():
        if f"{key}={value}" not in config:
            steps.append((sql.SQL("ALTER ROLE {} SET {} = {}").format(name, sql.Identifier(key), sql.Literal(value)),
                          f"role {spec.name}: {key} = {value}"))
    return steps


def _remove_undeclared(spec: RoleSpec, current: dict) -> list[tuple[sql.Composable, str]]:
    name, steps = sql.Identifier(spec.name), []
    for parent in current.get("member_of") or []:
        if parent not in spec.roles:
            steps.append((sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(parent), name),
                          f"revoked {parent} from {spec.name}"))
    if not spec.valid_until and current.get("valid_until"):
        steps.append((sql.SQL("ALTER ROLE {} VALID UNTIL 'infinity'").format(name), f"role {spec.name}: no expiry"))
    if spec.connlimit is None and current.get("connlimit", -1) != -1:
        steps.append((sql.SQL("ALTER ROLE {} WITH CONNECTION LIMIT -1").format(name),
                      f"role {spec.name}: no connection limit"))
    return steps
