"""The floor for bench_provision: the same provisioning steps as the `pgsql.apply` job, hand-written as a plain
paramiko script with no panel around it (no Celery, no job rows, no change log, no compare-before-act reads).

Everything a person would prepare beforehand is prepared before the clock starts: the rendered files (the same
templates the panel uses) and the SQL script of roles and databases. The timed part is what such a script
does on the nodes: connect, write files, start Patroni on the primary and wait until it leads, start the
replicas and wait until they stream, start pgBouncer and HAProxy, create roles and databases, create the
pgBackRest stanza and check archiving, wait for the 5433 service on every member.
"""
import io
import json
import threading
import time
from dataclasses import dataclass, field

import paramiko

from tasks.operations import databases, roles
from tasks.render import (render_haproxy, render_patroni, render_patroni_launcher, render_pgbackrest,
                          render_pgbouncer_hba, render_pgbouncer_ini, render_pgbouncer_userlist,
                          render_supervisor_program)
from tasks.render.context import system_passwords

PSQL = "runuser -u postgres -- psql -X -q -A -t -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres"


@dataclass
class Prepared:
    ip: str
    name: str
    primary: bool
    files: list = field(default_factory=list)  # (path, text, owner, mode)


def prepare(cluster) -> tuple[list[Prepared], callable]:
    """Rendered files per node, and a function making the roles/databases SQL from the roles Patroni already
    created at bootstrap (replicator, postgres): the script's inputs, made before timing."""
    nodes = []
    userlist, pgb_hba = render_pgbouncer_userlist(cluster), render_pgbouncer_hba(cluster)
    for instance in cluster.instances.select_related("node").order_by("pg_seq"):
        prepared = Prepared(instance.node.ip, instance.name, instance.pg_role == "primary")
        prepared.files = [
            ("/etc/patroni/patroni.yml", render_patroni(instance), "postgres", 0o600),
            ("/pg/bin/patroni", render_patroni_launcher(), "root", 0o755),
            ("/etc/pgbouncer/pgbouncer.ini", render_pgbouncer_ini(instance), "postgres", 0o600),
            ("/etc/pgbouncer/userlist.txt", userlist, "postgres", 0o600),
            ("/etc/pgbouncer/pgb_hba.conf", pgb_hba, "postgres", 0o600),
            ("/etc/haproxy/haproxy.cfg", render_haproxy(instance), "root", 0o600),
            ("/etc/pgbackrest/pgbackrest.conf", render_pgbackrest(instance), "postgres", 0o600),
        ]
        for name in ("patroni", "pgbouncer", "haproxy"):
            prepared.files.append((f"/etc/supervisor/conf.d/{name}.conf",
                                   render_supervisor_program(name, enabled=False),
                                   "root", 0o644))
        nodes.append(prepared)
    specs = roles.default_roles(system_passwords(cluster)) + [roles.from_user(u) for u in cluster.users.all()]
    dbs = list(cluster.databases.all())

    def sql_script(current_roles: dict) -> str:
        statements = [stmt for spec in specs for stmt, _ in roles.plan(spec, current_roles.get(spec.name))]
        statements += [stmt for db in dbs for stmt, _ in databases.plan(db, None)]
        return "".join(stmt.as_string(None) + ";\n" for stmt in statements)
    return nodes, sql_script


class Shell:
    """One SSH connection to a node: run a command (optionally with stdin), write a file."""

    def __init__(self, ip: str, key: paramiko.PKey):
        self.ip = ip
        self.client = paramiko.SSHClient()
        self.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        self.client.connect(ip, username="root", pkey=key, allow_agent=False, look_for_keys=False, timeout=10)
        self.client.get_transport().sock.setsockopt(6, 1, 1)  # TCP_NODELAY
        self.sftp = self.client.open_sftp()

    def run(self, command: str, stdin: str = "", check: bool = True) -> str:
        chan = self.client.get_transport().open_session()
        chan.set_combine_stderr(True)
        chan.exec_command(f"cd / && {command}")
        if stdin:
            chan.sendall(stdin.encode())
        chan.shutdown_write()
        out = chan.makefile("rb").read().decode()
        status = chan.recv_exit_status()
        if check and status != 0:
            raise RuntimeError(f"{self.ip}: `{command}` exited {status}: {out}")
        return out

    def put(self, path: str, text: str):
        self.sftp.putfo(io.BytesIO(text.encode()), path)

    def close(self):
        self.client.close()


def each(items, fn):
    errors = []

    def wrapped(item):
        try:
            fn(item)
        except Exception as exc:  # noqa: BLE001  (re-raised below, after every thread ended)
            errors.append(exc)
    threads = [threading.Thread(target=wrapped, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def until(check, timeout: float = 120, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        time.sleep(interval)


def provision(nodes: list[Prepared], sql_script, stanza: str, key: paramiko.PKey) -> dict:
    """The timed part: returns when the 5433 service answers on every member; seconds spent per phase."""
    shells, phases = {}, {}
    clock = [time.perf_counter()]

    def phase(name):
        now = time.perf_counter()
        phases[name] = now - clock[0]
        clock[0] = now

    def connect(node):
        shells[node.ip] = Shell(node.ip, key)
    each(nodes, connect)
    primary = next(n for n in nodes if n.primary)
    replicas = [n for n in nodes if not n.primary]
    try:
        def write(node):
            sh = shells[node.ip]
            sh.run("install -d -o postgres -g postgres -m 0700 /pg /pg/bin /pg/data /pg/backup /pg/log"
                   " /var/log/postgresql"
                   " && install -d -o postgres -g postgres -m 0750 /etc/patroni /etc/pgbouncer /etc/pgbackrest")
            for path, text, _, _ in node.files:
                sh.put(path, text)
            sh.run(" && ".join(f"chown {owner}:{owner} {path} && chmod {mode:o} {path}"
                               for path, _, owner, mode in node.files)
                   + " && supervisorctl reread >/dev/null && supervisorctl update >/dev/null")
        each(nodes, write)
        phase("connect and write files")

        shells[primary.ip].run("supervisorctl start patroni")
        until(lambda: shells[primary.ip].run(f"{PSQL} -c 'select pg_is_in_recovery()'", check=False).strip() == "f")
        phase("primary")
        each(replicas, lambda n: shells[n.ip].run("supervisorctl start patroni"))
        names = {n.name for n in replicas}
        until(lambda: names <= {line.split("|")[0] for line in shells[primary.ip].run(
            f"{PSQL} -c \"select application_name || '|' || state from pg_stat_replication\"").splitlines()
            if line.endswith("|streaming")})
        phase("replicas streaming")
        each(nodes, lambda n: shells[n.ip].run("supervisorctl start pgbouncer haproxy"))
        phase("pgbouncer and haproxy")
        current = json.loads(shells[primary.ip].run(f"{PSQL} -f -", stdin=roles.STATE_SQL) or "[]") or []
        shells[primary.ip].run(f"{PSQL} -f -", stdin=sql_script({r["name"]: r for r in current}))
        phase("roles and databases")
        shells[primary.ip].run(f"runuser -u postgres -- pgbackrest --stanza={stanza} stanza-create")
        shells[primary.ip].run(f"runuser -u postgres -- pgbackrest --stanza={stanza} --archive-timeout=60 check")
        phase("stanza and check")
        each(nodes, lambda n: until(lambda: shells[n.ip].run(f"pg_isready -h {n.ip} -p 5433 -t 3",
                                                             check=False).strip().endswith("accepting connections")))
        phase("5433 on every member")
        return phases
    finally:
        for sh in shells.values():
            sh.close()
