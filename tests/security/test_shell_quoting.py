"""The remote commands jobs build with user-provided values (restore targets, cluster names as pgBackRest
stanzas and etcd prefixes, pg_ctl options, paths) split back with shlex into exactly the arguments they were
built from, also once wrapped in `timeout … sh -c` and sudo as they are executed; and a secret in a command
is masked in the raw and in the quoted form."""
import shlex

import pytest

from tasks import ssh
from tasks.operations import pgbackrest
from tasks.operations import restore as recovery
from tasks.ssh.command import MASK, mask, wrap

NASTY = ["it's", 'say "hi"', "a; touch /tmp/pwned", "$(touch /tmp/pwned)", "`touch /tmp/pwned`", "back\\slash",
         "-- comment", "100% %f %p", "two\nlines", "tab\tand  spaces", "*", "~root", "!event", "a&b|c>d<e",
         "'; DROP TABLE t; --", ""]


@pytest.mark.parametrize("value", NASTY)
def test_build_round_trips(value):
    argv = ["psql", "-c", value, f"--opt={value}", value + value]
    assert shlex.split(ssh.build(*argv)) == argv


@pytest.mark.parametrize("value", NASTY)
@pytest.mark.parametrize("sudo, sudo_password", [(False, False), (True, False), (True, True)])
def test_the_executed_wrapper_keeps_the_command_one_argument(value, sudo, sudo_password):
    command = ssh.build("echo", value)
    argv = shlex.split(wrap(command, timeout=30, sudo=sudo, sudo_password=sudo_password))
    assert argv[-7:] == ["timeout", "-k", "5", "30", "sh", "-c", command]
    assert shlex.split(argv[-1]) == ["echo", value]


@pytest.mark.parametrize("target", NASTY[:-1])
def test_a_restore_target_reaches_pgbackrest_as_one_literal_option(target):
    argv = shlex.split(recovery.restore_command("pg-test", "name", target, True))
    assert argv[:5] == ["runuser", "-u", "postgres", "--", "pgbackrest"] and argv[-1] == "restore"
    assert argv.count(f"--target={target}") == 1 and "--type=name" in argv


@pytest.mark.parametrize("value", NASTY)
def test_pgbackrest_and_pg_ctl_options_round_trip(value):
    assert shlex.split(pgbackrest.command(value, f"--type={value}", "backup")) == [
        "runuser", "-u", "postgres", "--", "pgbackrest", f"--stanza={value}", f"--type={value}", "backup"]
    assert shlex.split(recovery.pg_ctl(15, "-o", value, "start")) == [
        "runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D", "/pg/data", "-o", value,
        "start"]
    assert shlex.split(recovery.as_postgres("rm", "-f", f"/pg/data/{value}")) == [
        "runuser", "-u", "postgres", "--", "rm", "-f", f"/pg/data/{value}"]


@pytest.mark.parametrize("secret", [s for s in NASTY if len(s) > 1])  # "*" would match inside the mask
def test_a_secret_is_masked_raw_and_quoted(secret):
    command = ssh.build("tool", "--password", secret)
    assert mask(f"{command}\n{secret}", [secret]) == f"tool --password {MASK}\n{MASK}"
