"""Supervisor programs and systemd units of etcd, patroni, pgbouncer and haproxy, read by supervisor's own config
parser and `systemd-analyze verify`."""
import pwd
import subprocess

import pytest

from tasks.render import render_patroni_launcher, render_supervisor_program, render_systemd_unit

from . import checks

PROGRAMS = {"etcd": "etcd", "patroni": "postgres", "pgbouncer": "postgres", "haproxy": "root"}
COMMANDS = {"etcd": "/usr/bin/etcd ", "patroni": "/usr/bin/python3 /pg/bin/patroni /etc/patroni/patroni.yml",
            "pgbouncer": "/usr/sbin/pgbouncer ", "haproxy": "/usr/sbin/haproxy "}


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
    assert program["command"].startswith(COMMANDS[name])
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


def test_the_patroni_launcher_lowers_a_poll_interval_the_installed_patroni_has():
    """/pg/bin/patroni sets patroni.postgresql.STOP_POLLING_INTERVAL; the Patroni on this machine (the nodes'
    Debian package) must still read that module global while it waits for a demoted primary to shut down."""
    launcher = render_patroni_launcher()
    assert "patroni.postgresql.STOP_POLLING_INTERVAL = 0.1" in launcher
    probe = subprocess.run(["/usr/bin/python3", "-c", "import inspect, patroni.postgresql as p; "
                            "print(p.STOP_POLLING_INTERVAL, 'time.sleep(STOP_POLLING_INTERVAL)' in "
                            "inspect.getsource(p.Postgresql._do_stop))"], capture_output=True, text=True)
    if "No module named 'patroni'" in probe.stderr:
        pytest.skip("Patroni is not installed here")
    assert probe.stdout.split() == ["1", "True"], probe.stderr
    compile(launcher, "/pg/bin/patroni", "exec")
