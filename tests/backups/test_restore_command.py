"""The `pgbackrest restore` command line for each kind of target (built with shlex quoting)."""
import shlex

import pytest

from tasks.operations.restore import restore_command


@pytest.mark.parametrize("target_type, target, inclusive, expected", [
    ("latest", "", True, []),
    ("immediate", "", True, ["--type=immediate", "--target-action=promote"]),
    ("time", "2026-11-25 10:30:00.123+00", True,
     ["--type=time", "--target=2026-11-25 10:30:00.123+00", "--target-action=promote"]),
    ("xid", "755", False, ["--type=xid", "--target=755", "--target-exclusive", "--target-action=promote"]),
    ("lsn", "0/19023700", True, ["--type=lsn", "--target=0/19023700", "--target-action=promote"]),
    ("name", "before 'upgrade'", True, ["--type=name", "--target=before 'upgrade'", "--target-action=promote"]),
])
def test_each_target_becomes_pgbackrest_options(target_type, target, inclusive, expected):
    argv = shlex.split(restore_command("pg-test", target_type, target, inclusive))
    assert argv[:5] == ["runuser", "-u", "postgres", "--", "pgbackrest"] and argv[-1] == "restore"
    assert argv[5:9] == ["--stanza=pg-test", "--pg1-path=/pg/data", "--delta", "--log-level-console=info"]
    assert argv[9] == ("--recovery-option=restore_command=pgbackrest --stanza=pg-test --pg1-path=/pg/data "
                       "archive-get %f \"%p\"")
    assert argv[10:-1] == expected


def test_another_config_file_is_used_for_the_restore_and_for_fetching_wal():
    argv = shlex.split(restore_command("pg-test", "immediate", "", True, config="/etc/pgbackrest/drill.conf"))
    assert argv[5] == "--config=/etc/pgbackrest/drill.conf"
    assert argv[10] == ("--recovery-option=restore_command=pgbackrest --config=/etc/pgbackrest/drill.conf "
                        "--stanza=pg-test --pg1-path=/pg/data archive-get %f \"%p\"")
