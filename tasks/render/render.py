"""Render the node config files from the models: one function per file, each returning the file's text.

Templates live in ansible_assets/ under Ansible-compatible names and are rendered with StrictUndefined, so a
missing value fails loudly instead of writing an empty setting. YAML files (patroni.yml, etcd.conf) are built as
dicts and dumped with yaml.safe_dump: the template only adds a header."""
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from tasks import services as service_managers

from . import backup, hba, pooling, programs, proxy
from .context import (
    ADMIN,
    DATA_DIR,
    DBSU,
    HAPROXY_ADMIN_PORT,
    HAPROXY_ADMIN_USER,
    MONITOR,
    PG_PORT,
    PGBOUNCER_PORT,
    SOCKET_DIR,
    system_passwords,
)
from .escape import FILTERS
from .etcd import etcd_config
from .patroni import patroni_config

ASSETS = Path(__file__).resolve().parents[2] / "ansible_assets"
environment = Environment(loader=FileSystemLoader(ASSETS), undefined=StrictUndefined, autoescape=False,
                          trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
environment.filters.update(FILTERS)


def _render(template: str, **context) -> str:
    return environment.get_template(template).render(**context)


class _Dumper(yaml.SafeDumper):
    """Writes repeated values out in full instead of as YAML anchors and aliases."""

    def ignore_aliases(self, data):
        return True


def _yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True,
                     width=1000)


def render_patroni(instance) -> str:
    """/etc/patroni/patroni.yml of an instance."""
    cluster = instance.cluster
    return _render("pgsql/patroni.yml.j2", name=instance.name, cluster=cluster.name, rto=cluster.pg_rto,
                   conf=cluster.pg_conf, body=_yaml(patroni_config(instance)))


def render_patroni_launcher() -> str:
    """/pg/bin/patroni: starts Debian's Patroni with a shorter shutdown poll (see the script's docstring)."""
    return (ASSETS / "pgsql" / "patroni-launcher.py").read_text()


def render_pg_hba_lines(cluster, instance=None) -> str:
    """pg_hba.conf as Patroni writes it: Patroni's own lines then the rules; role-scoped rules (primary, replica,
    offline) only when an instance is given."""
    lines = hba.patroni_lines(cluster) + hba.lines(cluster, "postgres", instance)
    return _render("pgsql/pg_hba.conf.j2", cluster=cluster.name, instance=instance.name if instance else "",
                   lines=lines)


def render_pgbouncer_hba(cluster) -> str:
    """/etc/pgbouncer/pgb_hba.conf (pgBouncer has no instance roles: only common rules)."""
    return _render("pgbouncer/pgb_hba.conf.j2", cluster=cluster.name, lines=hba.lines(cluster, "pgbouncer"))


def render_pgbouncer_userlist(cluster) -> str:
    """/etc/pgbouncer/userlist.txt: plain-text passwords (see tasks.render.pooling for why), mode 0600."""
    return _render("pgbouncer/userlist.txt.j2", users=pooling.userlist(cluster))


def render_pgbouncer_ini(instance) -> str:
    """/etc/pgbouncer/pgbouncer.ini of an instance."""
    cluster = instance.cluster
    return _render("pgbouncer/pgbouncer.ini.j2", instance=instance.name, databases=pooling.databases(cluster),
                   users=pooling.user_pools(cluster), settings=pooling.settings(cluster), port=PGBOUNCER_PORT,
                   socket_dir=SOCKET_DIR, admin_users=[DBSU, ADMIN], stats_users=[MONITOR])


def render_haproxy(instance) -> str:
    """/etc/haproxy/haproxy.cfg of an instance: admin page on 9101 and every service of its cluster."""
    cluster = instance.cluster
    return _render("haproxy/haproxy.cfg.j2", instance=instance.name, cluster=cluster.name,
                   admin_port=HAPROXY_ADMIN_PORT, admin_user=HAPROXY_ADMIN_USER,
                   admin_password=system_passwords(cluster)["haproxy_admin_password"],
                   services=proxy.services(cluster))


def render_pgbackrest(instance) -> str:
    """/etc/pgbackrest/pgbackrest.conf of an instance: stanza = cluster name."""
    cluster = instance.cluster
    return _render("pgbackrest/pgbackrest.conf.j2", instance=instance.name, stanza=cluster.name,
                   repo=backup.repo_options(cluster), options=backup.global_options(instance), data_dir=DATA_DIR,
                   port=PG_PORT, socket_dir=SOCKET_DIR)


def render_etcd(member) -> str:
    """/etc/etcd/etcd.conf (YAML) of an ETCD member."""
    return _render("etcd/etcd.conf.j2", name=member.name, cluster=member.cluster.name,
                   body=_yaml(etcd_config(member)))


def render_supervisor_program(name: str, **overrides) -> str:
    """The supervisord program of etcd, patroni, pgbouncer or haproxy."""
    spec = programs.program(name, **overrides)
    return service_managers.render(spec, "supervisor/program.conf.j2", env_in_command=True)


def render_systemd_unit(name: str, **overrides) -> str:
    """The systemd unit of etcd, patroni, pgbouncer or haproxy."""
    return service_managers.render(programs.program(name, **overrides), "systemd/program.service.j2")
