"""Point-in-time recovery on one node, by hand and before Patroni: `pgbackrest restore` with the target into the
data directory, then PostgreSQL started on its own (no listening address, archiving off so the recovered
timeline never reaches the source's archive) until recovery stops at the target and promotes; the point it
reached is read back, the recovery settings pgBackRest wrote are cleared, and PostgreSQL is stopped cleanly for
Patroni to adopt the data directory."""
import time

from tasks import ssh
from tasks.operations import psql
from tasks.render.context import DATA_DIR, SOCKET_DIR

RECOVERY_LOG = "/pg/log/postgres/restore.log"
RESTORE_TIMEOUT = 6 * 3600
RECOVERY_OPTIONS = (f"-c listen_addresses='' -c port=5432 -c unix_socket_directories={SOCKET_DIR} "
                    "-c archive_mode=off -c logging_collector=off -c hot_standby=on")
REACHED_SQL = """SELECT json_build_object(
  'in_recovery', pg_is_in_recovery(),
  'time', pg_last_xact_replay_timestamp(),
  'lsn', pg_current_wal_lsn()::text,
  'timeline', ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int)"""


def as_postgres(*argv: str) -> str:
    return ssh.build("runuser", "-u", "postgres", "--", *argv)


def restore_command(source_stanza: str, target_type: str, target: str, inclusive: bool, config: str = "") -> str:
    """`pgbackrest restore` of the source stanza into the data directory, stopping at the target and promoting.
    The WAL of the source is fetched with an explicit restore_command (the node's own config file may describe
    another stanza: a branch cluster's); `config` names another pgBackRest config file for both."""
    options = [f"--config={config}"] if config else []
    args = [*options, f"--stanza={source_stanza}", f"--pg1-path={DATA_DIR}", "--delta", "--log-level-console=info",
            f"--recovery-option=restore_command=pgbackrest {''.join(o + ' ' for o in options)}"
            f"--stanza={source_stanza} --pg1-path={DATA_DIR} archive-get %f \"%p\""]
    if target_type == "immediate":
        args.append("--type=immediate")
    elif target_type != "latest":
        args += [f"--type={target_type}", f"--target={target}"]
        if not inclusive:
            args.append("--target-exclusive")
    if target_type != "latest":
        args.append("--target-action=promote")
    return as_postgres("pgbackrest", *args, "restore")


def restore(node, source_stanza: str, target_type: str, target: str, inclusive: bool, on_line=None,
            config: str = ""):
    ssh.run(node, ssh.build("install", "-d", "-o", "postgres", "-g", "postgres", "-m", "0700", DATA_DIR,
                            "/pg/log/postgres", "/pg/log/pgbackrest"), timeout=30)
    ssh.run(node, restore_command(source_stanza, target_type, target, inclusive, config), timeout=RESTORE_TIMEOUT,
            on_line=on_line)


def pg_ctl(version: int, *args: str) -> str:
    return as_postgres(f"/usr/lib/postgresql/{version}/bin/pg_ctl", "-D", DATA_DIR, *args)


def running(node, version: int) -> bool:
    return ssh.run(node, pg_ctl(version, "status"), check=False, timeout=15).exit_code == 0


def log_tail(node, lines: int = 8) -> str:
    result = ssh.run(node, ssh.build("tail", "-n", str(lines), RECOVERY_LOG), check=False, timeout=15)
    return " | ".join(line.strip() for line in result.stdout.splitlines() if line.strip())


class RecoveryFailed(Exception):
    pass


def recover(node, version: int, timeout: float = RESTORE_TIMEOUT, interval: float = 0.5) -> dict:
    """Start PostgreSQL on the restored data directory and wait until recovery ended (promoted); the point it
    reached: time of the last replayed transaction, LSN and timeline, and the timeline switch record."""
    ssh.run(node, ssh.build("rm", "-f", RECOVERY_LOG), timeout=15)
    started = ssh.run(node, pg_ctl(version, "-w", "-t", str(int(timeout)), "-l", RECOVERY_LOG, "-o", RECOVERY_OPTIONS,
                                   "start"), timeout=timeout + 30, check=False)
    if started.exit_code != 0:
        raise RecoveryFailed(f"PostgreSQL did not start on the restored data directory: {log_tail(node)}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = psql.query_json(node, REACHED_SQL, timeout=30)
        except ssh.RemoteCommandError:
            if not running(node, version):
                raise RecoveryFailed(f"PostgreSQL stopped during recovery: {log_tail(node)}") from None
            state = None
        if state and not state["in_recovery"]:
            history = f"pg_wal/{state['timeline']:08X}.history"
            text = psql.query_json(node, f"SELECT to_json(pg_read_file('{history}'))", timeout=30) or ""
            lines = [line for line in text.splitlines() if line.strip()]
            if lines:
                _, switch_lsn, *reason = lines[-1].split("\t")
                state.update(switch_lsn=switch_lsn, switch_reason=" ".join(reason).strip())
            state.pop("in_recovery")
            return state
        time.sleep(interval)
    raise RecoveryFailed(f"recovery did not end within {timeout:g} s: {log_tail(node)}")


def discard(node, version: int):
    """Stop a PostgreSQL left on the data directory (immediate: its data is thrown away) and delete the
    directory: a scratch node back to empty."""
    if running(node, version):
        ssh.run(node, pg_ctl(version, "-m", "immediate", "-w", "-t", "60", "stop"), timeout=90)
    ssh.run(node, ssh.build("rm", "-rf", "--", DATA_DIR), timeout=300)


def finish(node, version: int):
    """Clear the recovery settings pgBackRest wrote (a replica cloned later would inherit a recovery target) and
    stop PostgreSQL cleanly; Patroni's cached dynamic configuration of the source goes too."""
    psql.query_json(node, "ALTER SYSTEM RESET ALL", timeout=30)
    ssh.run(node, pg_ctl(version, "-m", "fast", "-w", "-t", "300", "stop"), timeout=320)
    ssh.run(node, ssh.build("rm", "-f", f"{DATA_DIR}/patroni.dynamic.json"), timeout=15)
