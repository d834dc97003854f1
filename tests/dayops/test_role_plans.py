"""The SQL that converges a live role to its spec: a business user's spec is the whole truth (revoked
memberships, removed expiry and limit), system roles only gain what they lack; names and values are quoted."""
from tasks.operations import databases, roles
from tasks.operations.roles import RoleSpec


def sql_of(plan):
    return [statement.as_string(None) for statement, _ in plan]


LIVE = {"name": "dbuser_app", "login": True, "superuser": False, "createdb": False, "createrole": False,
        "inherit": True, "replication": False, "bypassrls": False, "connlimit": 10, "password": None,
        "valid_until": "2030-01-01", "comment": None, "config": None, "member_of": ["dbrole_readwrite", "pg_monitor"]}


def test_a_business_user_loses_what_its_spec_no_longer_lists():
    spec = RoleSpec("dbuser_app", roles=["dbrole_readwrite"], exclusive=True)
    assert sql_of(roles.plan(spec, LIVE)) == [
        'REVOKE "pg_monitor" FROM "dbuser_app"',
        """ALTER ROLE "dbuser_app" VALID UNTIL 'infinity'""",
        'ALTER ROLE "dbuser_app" WITH CONNECTION LIMIT -1',
    ]


def test_a_user_as_declared_needs_nothing():
    spec = RoleSpec("dbuser_app", roles=["dbrole_readwrite", "pg_monitor"], connlimit=10, valid_until="2030-01-01",
                    exclusive=True)
    assert roles.plan(spec, LIVE) == []


def test_a_system_role_keeps_memberships_granted_by_hand():
    spec = RoleSpec("dbuser_app", roles=["dbrole_readwrite"], connlimit=10, valid_until="2030-01-01")
    assert roles.plan(spec, LIVE) == []


def test_drops_quote_the_name():
    assert sql_of(roles.drop('we"ird')) == ['DROP ROLE IF EXISTS "we""ird"']
    assert sql_of(databases.drop("old-db")) == ['DROP DATABASE IF EXISTS "old-db" WITH (FORCE)']
