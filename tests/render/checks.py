"""Run the real tools over rendered files: each returns the problems the tool reports (empty = valid)."""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

POSTGRES_BIN = "/usr/lib/postgresql/15/bin"
# patroni --validate-config also probes the network: listen ports in use on this machine and DCS hosts that do
# not answer here say nothing about the file.
PATRONI_ENVIRONMENTAL = re.compile(r"(Port \d+ is already in use|is not reachable)")


def tool(name: str) -> str:
    """The path of a real tool; the test is skipped (and says so) where it is not installed."""
    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed here")
    return path


def run(*argv, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False, **kwargs)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text)
    return path


def as_postgres(*argv) -> list[str]:
    """PostgreSQL programs refuse to run as root: run them as postgres then."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else list(argv)


def haproxy(path: Path) -> str:
    """`haproxy -c` output when it finds an error or a warning."""
    result = run(tool("haproxy"), "-c", "-f", str(path))
    output = result.stdout + result.stderr
    return output if result.returncode != 0 or "[WARNING]" in output else ""


def patroni(path: Path) -> list[str]:
    """Validation errors of `patroni --validate-config`, minus the ones about this machine's network."""
    result = run(tool("patroni"), "--validate-config", str(path))
    errors = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    real = [line for line in errors if not PATRONI_ENVIRONMENTAL.search(line)]
    if result.returncode != 0 and not errors:
        real.append(f"patroni exited {result.returncode} without a message")
    return real


def pgbackrest(path: Path, stanza: str, command: str) -> tuple[list[str], str]:
    """(warnings and errors, parsed option line) of `pgbackrest help COMMAND` with the config: pgBackRest parses
    and checks every option of the command and warns about unknown ones, without touching a repo or a server."""
    result = run(tool("pgbackrest"), f"--config={path}", f"--stanza={stanza}", "--log-level-file=off",
                 "help", command)
    output = result.stdout + result.stderr
    problems = [line for line in output.splitlines() if re.search(r"\b(WARN|ERROR)\b", line)]
    if result.returncode != 0:
        problems.append(f"pgbackrest exited {result.returncode}")
    parsed = next((line for line in output.splitlines() if "command begin" in line), "")
    return problems, parsed


def pg_hba(datadir: str, text: str) -> list[str]:
    """Errors PostgreSQL 15 finds in a pg_hba.conf (pg_hba_file_rules, read by a single-user backend).
    ssl=on so that hostssl lines are judged on their syntax, not on this machine lacking a certificate."""
    path = Path(datadir) / "pg_hba.conf"
    path.write_text(text)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres")
    query = "SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL\n"
    result = subprocess.run(as_postgres(f"{POSTGRES_BIN}/postgres", "--single", "-D", datadir, "-c", "ssl=on",
                                        "postgres"), input=query, capture_output=True, text=True, timeout=60, check=False)
    assert "backend>" in result.stdout, result.stderr
    return re.findall(r'error = "(.*)"\t', result.stdout)


def etcd_unknown_keys(config: dict) -> list[str]:
    """Keys of an etcd YAML config that etcd does not accept as flags: those `etcd --help` lists, and hidden
    ones (enable-grpc-gateway) that etcd itself accepts on its command line."""
    result = run(tool("etcd"), "--help")
    flags = set(re.findall(r"^\s+--([a-z0-9-]+)", result.stdout + result.stderr, re.MULTILINE))
    assert flags, "etcd --help listed no flags"
    unlisted = [key for key in config if key not in flags]
    return [key for key in unlisted
            if run(tool("etcd"), f"--{key}={str(config[key]).lower()}", "--version").returncode != 0]


def systemd_verify(path: Path) -> str:
    result = run(tool("systemd-analyze"), "verify", str(path))
    return result.stdout + result.stderr if result.returncode or result.stderr.strip() else ""


def pg_parameters(datadir: str, parameters: dict) -> list[str]:
    """FATAL/ERROR messages of a single-user PostgreSQL 15 backend started with these parameters: unknown names,
    bad values and missing preload libraries all stop it."""
    argv = [f"{POSTGRES_BIN}/postgres", "--single", "-D", datadir]
    for key, value in parameters.items():
        argv += ["-c", f"{key}={value}"]
    result = subprocess.run(as_postgres(*argv, "postgres"), input="SHOW shared_preload_libraries\n",
                            capture_output=True, text=True, timeout=60, check=False)
    problems = [line for line in (result.stdout + result.stderr).splitlines() if re.search(r"\b(FATAL|ERROR)\b", line)]
    if result.returncode != 0 or "backend>" not in result.stdout:
        problems.append(f"postgres exited {result.returncode}")
    return problems


SUPERVISOR_PARSE = """
import json, sys
from supervisor.options import ServerOptions
options = ServerOptions()
options.realize(args=["-c", sys.argv[1]])
print(json.dumps([{"name": p.name, "command": p.command, "uid": p.uid, "directory": p.directory,
                   "autorestart": getattr(p.autorestart, "__name__", p.autorestart)}
                  for group in options.process_group_configs for p in group.process_configs]))
"""


def supervisor(directory: Path, program: str) -> tuple[str, list[dict]]:
    """(errors, parsed programs) of a supervisord config holding the program, read by supervisor's own option
    parser (the one supervisord uses at start; nothing is started). Needs Debian's python3-supervisor."""
    python = "/usr/bin/python3"
    if run(python, "-c", "import supervisor.options").returncode != 0:
        pytest.skip("supervisor (python3-supervisor) is not installed here")
    path = write(directory, "supervisord.conf", "[supervisord]\nnodaemon=true\n\n" + program)
    result = run(python, "-c", SUPERVISOR_PARSE, str(path))
    if result.returncode != 0:
        return result.stdout + result.stderr, []
    return "", json.loads(result.stdout)
