"""Supervisor programs and systemd units of etcd, patroni, pgbouncer and haproxy, read by supervisor's own config
parser and `systemd-analyze verify`."""
import pwd

import pytest

from tasks.render import render_supervisor_program, render_systemd_unit

from . import checks

PROGRAMS = {"etcd": "etcd", "patroni": "postgres", "pgbouncer": "postgres", "haproxy": "root"}


@pytest.mark.parametrize("name,user", PROGRAMS.items())
def test_supervisor_program(name, user, tmp_path):
    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        pytest.skip(f"user {user} does not exist here")
    errors, parsed = checks.supervisor(tmp_path, render_supervisor_program(name))
    assert errors == ""
    assert len(parsed) == 1
    program = parsed[0]
    assert (program["name"], program["directory"], program["uid"]) == (name, "/", uid)
    assert program["command"].split()[0].endswith(f"/{name}")
    assert program["autorestart"] == "RestartUnconditionally"


def test_supervisor_check_bites(tmp_path):
    text = render_supervisor_program("patroni").replace("autorestart=true", "autorestart=maybe")
    errors, _ = checks.supervisor(tmp_path, text)
    assert "invalid 'autorestart' value" in errors


@pytest.mark.parametrize("name,user", PROGRAMS.items())
def test_systemd_unit(name, user, tmp_path):
    text = render_systemd_unit(name)
    assert f"User={user}" in text and "WorkingDirectory=/" in text
    assert checks.systemd_verify(checks.write(tmp_path, f"{name}.service", text)) == ""


def test_unknown_program_refused():
    with pytest.raises(ValueError, match="unknown program"):
        render_supervisor_program("sshd")
