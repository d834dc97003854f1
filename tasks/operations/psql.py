"""Running SQL on a node as the database superuser, through psql on the local socket: SQL travels on stdin,
so passwords in it never appear on a command line or in the job log."""
import json

from tasks import ssh

PSQL = ("runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
        "-h", "/var/run/postgresql", "-p", "5432")


def query_json(node, query: str, db: str = "postgres", timeout: float = 30, connect_deadline: float | None = None):
    """Run a query returning one JSON value and return it decoded."""
    result = ssh.run(node, ssh.build(*PSQL, "-d", db, "-f", "-"), stdin=query.encode(), timeout=timeout,
                     connect_deadline=connect_deadline)
    text = result.stdout.strip()
    return json.loads(text) if text else None


def execute(node, statements, db: str = "postgres", secrets=(), timeout: float = 120):
    """Run composed statements one by one (autocommit, so CREATE DATABASE works); stops at the first error."""
    script = "".join(stmt.as_string(None) + ";\n" for stmt in statements)
    if script:
        ssh.run(node, ssh.build(*PSQL, "-d", db, "-f", "-"), stdin=script.encode(), secrets=secrets,
                timeout=timeout)
