"""The databases of a cluster's spec (pg_databases) and the SQL that brings the live cluster to them:
CREATE DATABASE (outside a transaction), owner, connection limit, comment, then per database its schemas and
extensions. Each statement carries a description of the change."""
from psycopg import sql

STATE_SQL = """
SELECT json_agg(json_build_object(
  'name', d.datname, 'owner', pg_get_userbyid(d.datdba), 'connlimit', d.datconnlimit,
  'allowconn', d.datallowconn, 'comment', shobj_description(d.oid, 'pg_database')))
FROM pg_database d
"""

INSIDE_SQL = """
SELECT json_build_object(
  'schemas', (SELECT coalesce(json_agg(nspname), '[]') FROM pg_namespace),
  'extensions', (SELECT coalesce(json_agg(extname), '[]') FROM pg_extension))
"""


def create_options(db) -> list[sql.Composable]:
    parts = []
    if db.owner:
        parts.append(sql.SQL("OWNER {}").format(sql.Identifier(db.owner)))
    if db.template:
        parts.append(sql.SQL("TEMPLATE {}").format(sql.Identifier(db.template)))
    if db.encoding:
        parts.append(sql.SQL("ENCODING {}").format(sql.Literal(db.encoding)))
    if db.locale:
        parts.append(sql.SQL("LOCALE {}").format(sql.Literal(db.locale)))
    if db.lc_collate:
        parts.append(sql.SQL("LC_COLLATE {}").format(sql.Literal(db.lc_collate)))
    if db.lc_ctype:
        parts.append(sql.SQL("LC_CTYPE {}").format(sql.Literal(db.lc_ctype)))
    if db.tablespace:
        parts.append(sql.SQL("TABLESPACE {}").format(sql.Identifier(db.tablespace)))
    if db.allowconn is not None:
        parts.append(sql.SQL("ALLOW_CONNECTIONS {}").format(sql.SQL("true" if db.allowconn else "false")))
    if db.connlimit is not None:
        parts.append(sql.SQL("CONNECTION LIMIT {}").format(sql.Literal(int(db.connlimit))))
    return parts


def plan(db, current: dict | None) -> list[tuple[sql.Composable, str]]:
    """Cluster-level statements for one PGDatabase: create it, or align owner, connection limit, comment."""
    name = sql.Identifier(db.name)
    steps = []
    if current is None:
        statement = sql.SQL(" ").join([sql.SQL("CREATE DATABASE {}").format(name), *create_options(db)])
        steps.append((statement, f"created database {db.name}"))
        current = {"owner": db.owner, "connlimit": db.connlimit, "comment": None}
    else:
        if db.owner and current.get("owner") != db.owner:
            steps.append((sql.SQL("ALTER DATABASE {} OWNER TO {}").format(name, sql.Identifier(db.owner)),
                          f"database {db.name}: owner {db.owner}"))
        if db.connlimit is not None and current.get("connlimit") != int(db.connlimit):
            steps.append((sql.SQL("ALTER DATABASE {} CONNECTION LIMIT {}").format(name, sql.Literal(int(db.connlimit))),
                          f"database {db.name}: connection limit {db.connlimit}"))
    if db.revokeconn:
        steps.append((sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(name), ""))
    if db.comment and current.get("comment") != db.comment:
        steps.append((sql.SQL("COMMENT ON DATABASE {} IS {}").format(name, sql.Literal(db.comment)),
                      f"database {db.name}: comment"))
    return steps


def extension_names(db) -> list[tuple[str, str]]:
    """(name, schema) of each declared extension; Pigsty allows a name or {name, schema}."""
    result = []
    for ext in db.extensions or []:
        if isinstance(ext, dict):
            result.append((ext["name"], ext.get("schema", "")))
        else:
            result.append((str(ext), ""))
    return result


def plan_inside(db, current: dict) -> list[tuple[sql.Composable, str]]:
    """Statements run inside the database: its schemas and extensions."""
    steps = []
    for schema in db.schemas or []:
        if schema not in current["schemas"]:
            owner = sql.SQL(" AUTHORIZATION {}").format(sql.Identifier(db.owner)) if db.owner else sql.SQL("")
            steps.append((sql.SQL("CREATE SCHEMA IF NOT EXISTS {}{}").format(sql.Identifier(schema), owner),
                          f"database {db.name}: schema {schema}"))
    for ext, schema in extension_names(db):
        if ext not in current["extensions"]:
            where = sql.SQL(" SCHEMA {}").format(sql.Identifier(schema)) if schema else sql.SQL("")
            steps.append((sql.SQL("CREATE EXTENSION IF NOT EXISTS {}{} CASCADE").format(sql.Identifier(ext), where),
                          f"database {db.name}: extension {ext}"))
    return steps


def drop(name: str) -> list[tuple[sql.Composable, str]]:
    """DROP DATABASE, ending the sessions still connected to it (PostgreSQL 13+ FORCE)."""
    return [(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)),
             f"dropped database {name}")]
