"""pgbouncer.ini and userlist.txt. pgBouncer 1.18 has no check mode (and no daemon may start here), so the files
are parsed the way pgBouncer reads them and the settings asserted."""
import configparser

import pytest

from clusters import models
from tasks.render import render_pgbouncer_ini, render_pgbouncer_userlist

from .conftest import BIZ_PASSWORD

pytestmark = pytest.mark.django_db


def ini(instance) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=(";", "#"), delimiters=("=",))
    parser.read_string(render_pgbouncer_ini(instance))
    return parser


def userlist(text: str) -> dict[str, str]:
    """Parse auth_file lines as pgBouncer does: two double-quoted fields, "" standing for one quote."""
    entries = {}
    for line in text.splitlines():
        fields, rest = [], line
        while rest.startswith('"'):
            i, value = 1, ""
            while True:
                j = rest.index('"', i)
                value += rest[i:j]
                if rest[j + 1:j + 2] == '"':
                    value, i = value + '"', j + 2
                    continue
                break
            fields.append(value)
            rest = rest[j + 1:].lstrip()
        assert len(fields) == 2 and not rest, line
        entries[fields[0]] = fields[1]
    return entries


def test_pgbouncer_settings(instances):
    conf = ini(instances[1])["pgbouncer"]
    assert conf["listen_port"] == "6432" and conf["listen_addr"] == "*"
    assert conf["unix_socket_dir"] == "/var/run/postgresql"
    assert conf["auth_type"] == "hba"
    assert conf["auth_file"] == "/etc/pgbouncer/userlist.txt"
    assert conf["auth_hba_file"] == "/etc/pgbouncer/pgb_hba.conf"
    assert conf["admin_users"] == "postgres, dbuser_dba" and conf["stats_users"] == "dbuser_monitor"
    assert conf["pool_mode"] == "transaction"


def test_databases_and_user_pools(instances):
    conf = ini(instances[1])
    assert dict(conf["databases"]) == {"test": "host=/var/run/postgresql port=5432 dbname=test pool_size=30"}
    assert conf["users"]["dbuser_test"] == "pool_mode=session max_user_connections=10"
    assert conf["users"]["dbuser_dba"] == "pool_mode=session max_user_connections=16"


def test_pool_mode_var_checked(cluster, instances):
    cluster.vars = {"pgbouncer_poolmode": "session"}
    cluster.save()
    assert ini(instances[1])["pgbouncer"]["pool_mode"] == "session"
    cluster.vars = {"pgbouncer_poolmode": "sometimes"}
    cluster.save()
    with pytest.raises(ValueError, match="pool mode"):
        render_pgbouncer_ini(instances[1])


def test_userlist_holds_pooled_users_with_their_passwords(cluster):
    secrets = cluster.deployment.secret_vars
    entries = userlist(render_pgbouncer_userlist(cluster))
    assert entries == {"dbuser_dba": secrets["pg_admin_password"], "dbuser_monitor": secrets["pg_monitor_password"],
                       "dbuser_test": BIZ_PASSWORD}


def test_userlist_refuses_line_breaks(cluster):
    """The model refuses such a password (tests/security); a row stored before that rule still cannot break the
    file, and the error does not show the password."""
    user = models.PGUser.objects.create(cluster=cluster, name="dbuser_nl", password="Valid-pass-1", pgbouncer=True)
    models.PGUser.objects.filter(pk=user.pk).update(password="secret-first-line\nb")
    with pytest.raises(ValueError, match="line break") as refused:
        render_pgbouncer_userlist(cluster)
    assert "secret-first" not in str(refused.value)
