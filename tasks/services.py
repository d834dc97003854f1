"""Service control on a node through one interface: systemd when the node's PID 1 is systemd, supervisord
otherwise (sandbox nodes, containers).

    svc = services.for_node(node)
    svc.install(services.ServiceSpec("patroni", ["/usr/bin/patroni", "/etc/patroni/patroni.yml"], user="postgres"))
    svc.start("patroni"); svc.is_running("patroni")

Unit files and supervisor programs are rendered from templates in ansible_assets/. Processes started here
belong to the node's service manager, so they outlive the SSH session that started them.
"""
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from tasks import ssh
from tasks.ssh.connection import label
from tasks.ssh.transfer import CHANGED

ASSETS = Path(__file__).resolve().parent.parent / "ansible_assets"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9@._-]*$")
SIGNALS = frozenset({"HUP", "INT", "QUIT", "TERM", "KILL", "USR1", "USR2"})
RUNNING, STOPPED, STARTING, FAILED, UNKNOWN = "running", "stopped", "starting", "failed", "unknown"
_templates = Environment(loader=FileSystemLoader(ASSETS), undefined=StrictUndefined, keep_trailing_newline=True,
                         autoescape=False)
_managers: dict[tuple, type] = {}


@dataclass
class ServiceSpec:
    """A long-running program as both systemd and supervisord describe it."""

    name: str
    command: list[str]
    user: str = "root"
    directory: str = "/"
    environment: dict[str, str] = field(default_factory=dict)
    description: str = ""
    enabled: bool = True
    restart: bool = True
    stop_signal: str = "TERM"
    reload_signal: str = "HUP"
    stop_timeout: int = 30
    log_file: str = ""

    def __post_init__(self):
        check_name(self.name)
        if not self.command:
            raise ValueError("a service needs a command")
        for text in [*self.command, *self.environment.values(), self.user, self.directory, self.description]:
            if "\n" in str(text):
                raise ValueError("service fields cannot contain newlines")
        if not all(re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key) for key in self.environment):
            raise ValueError("environment variable names are letters, digits and _")
        for sig in (self.stop_signal, self.reload_signal):
            check_signal(sig)


def check_signal(signal: str) -> str:
    """A signal name without SIG (HUP, USR2, TERM, …), as supervisord and kill take it."""
    if signal not in SIGNALS:
        raise ValueError(f"invalid signal {signal!r}: one of {', '.join(sorted(SIGNALS))}")
    return signal


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise ValueError(f"invalid service name {name!r}")
    return name


def _escape(value: str) -> str:
    """For values inside double quotes in supervisor and systemd files (both expand % specifiers)."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")


def render(spec: ServiceSpec, template: str, env_in_command: bool = False) -> str:
    """The unit or program file; with `env_in_command` the environment is set by /usr/bin/env instead."""
    argv = spec.command
    if env_in_command and spec.environment:
        argv = ["/usr/bin/env", *(f"{k}={v}" for k, v in spec.environment.items()), *argv]
    return _templates.get_template(template).render(
        name=spec.name, command=ssh.build(*argv).replace("%", "%%"), user=spec.user,
        directory=spec.directory, environment={k: _escape(v) for k, v in spec.environment.items()},
        description=(spec.description or spec.name).replace("%", "%%"), enabled=spec.enabled,
        restart=spec.restart, stop_signal=spec.stop_signal, reload_signal=spec.reload_signal,
        stop_timeout=spec.stop_timeout,
        log_file=spec.log_file or f"/var/log/supervisor/{spec.name}.log")


class _Manager:
    """`install(spec)` answers "changed" or "unchanged"; a changed definition is applied at once: a program
    that is running restarts with it (so it reads its configuration files anew)."""

    def __init__(self, node, on_line=None):
        self.node, self.on_line = node, on_line

    def _run(self, *argv, check=True, timeout=60):
        return ssh.run(self.node, ssh.build(*argv), on_line=self.on_line, check=check, timeout=timeout)

    def is_running(self, name: str) -> bool:
        return self.status(name) == RUNNING


class Supervisor(_Manager):
    """supervisord: programs in /etc/supervisor/conf.d/NAME.conf, controlled with supervisorctl."""

    kind = "supervisord"
    STATES = {"RUNNING": RUNNING, "STOPPED": STOPPED, "EXITED": STOPPED, "STARTING": STARTING,
              "BACKOFF": STARTING, "STOPPING": RUNNING, "FATAL": FAILED}

    def path(self, name: str) -> str:
        return f"/etc/supervisor/conf.d/{check_name(name)}.conf"

    def install(self, spec: ServiceSpec) -> str:
        """Write the program file and apply it (supervisord starts an enabled program when adding it). A file
        already in place that supervisord has not loaded (a job killed between the two) is applied too."""
        program = render(spec, "supervisor/program.conf.j2", env_in_command=True)
        result = ssh.upload(self.node, self.path(spec.name), program)
        if result != CHANGED and self.status(spec.name) == UNKNOWN:
            result = CHANGED
        if result == CHANGED:
            self._run("supervisorctl", "update", spec.name)  # rereads the configuration itself
        return result

    def remove(self, name: str) -> None:
        self._run("supervisorctl", "stop", check_name(name), check=False)
        self._run("rm", "-f", "--", self.path(name))
        self._run("supervisorctl", "update")

    def _ctl(self, action: str, name: str, ok_when: str = "") -> None:
        result = self._run("supervisorctl", action, check_name(name), check=False)
        if result.exit_code != 0 and not (ok_when and ok_when in result.stdout + result.stderr):
            raise ssh.RemoteCommandError(label(self.node), f"supervisorctl {action} {name}",
                                         result.exit_code, (result.stdout + result.stderr).strip())

    def start(self, name: str, wait: float = 15) -> None:
        """Start and wait until supervisord reports the program RUNNING (it may be starting already,
        having been added with autostart)."""
        self._ctl("start", name, ok_when="already started")
        deadline = time.monotonic() + wait
        while (state := self.status(name)) == STARTING and time.monotonic() < deadline:
            time.sleep(0.2)
        if state != RUNNING:
            raise ssh.RemoteCommandError(label(self.node), f"supervisorctl start {name}", None, f"state: {state}")

    def stop(self, name: str) -> None:
        self._ctl("stop", name, ok_when="not running")

    def restart(self, name: str) -> None:
        self._ctl("restart", name)

    def reload(self, name: str, signal: str = "HUP") -> None:
        """Send the program its reload signal (HUP for most; HAProxy in master-worker mode wants USR2)."""
        self._run("supervisorctl", "signal", check_signal(signal), check_name(name))

    def status(self, name: str) -> str:
        words = self._run("supervisorctl", "status", check_name(name), check=False).stdout.split()
        return self.STATES.get(words[1], UNKNOWN) if len(words) > 1 else UNKNOWN


class Systemd(_Manager):
    """systemd: units in /etc/systemd/system/NAME.service, controlled with systemctl."""

    kind = "systemd"
    STATES = {"active": RUNNING, "reloading": RUNNING, "inactive": STOPPED, "activating": STARTING,
              "deactivating": RUNNING, "failed": FAILED}

    def path(self, name: str) -> str:
        return f"/etc/systemd/system/{check_name(name)}.service"

    def install(self, spec: ServiceSpec) -> str:
        """Write the unit, reload systemd when it changed (or systemd has not loaded the file in place yet) and
        restart the service if it runs, and enable it when `spec.enabled`."""
        result = ssh.upload(self.node, self.path(spec.name), render(spec, "systemd/program.service.j2"))
        if result != CHANGED and self._run("systemctl", "show", "-p", "NeedDaemonReload", "--value",
                                           spec.name, check=False).stdout.strip() == "yes":
            result = CHANGED
        if result == CHANGED:
            self._run("systemctl", "daemon-reload")
            self._run("systemctl", "try-restart", spec.name)
        self._run("systemctl", "enable" if spec.enabled else "disable", spec.name)
        return result

    def remove(self, name: str) -> None:
        self._run("systemctl", "disable", "--now", check_name(name), check=False)
        self._run("rm", "-f", "--", self.path(name))
        self._run("systemctl", "daemon-reload")

    def start(self, name: str) -> None:
        self._run("systemctl", "start", check_name(name))

    def stop(self, name: str) -> None:
        self._run("systemctl", "stop", check_name(name))

    def restart(self, name: str) -> None:
        self._run("systemctl", "restart", check_name(name))

    def reload(self, name: str, signal: str = "HUP") -> None:
        """`systemctl reload`: the unit's ExecReload sends the reload signal it was written with."""
        self._run("systemctl", "reload", check_name(name))

    def status(self, name: str) -> str:
        state = self._run("systemctl", "is-active", check_name(name), check=False).stdout.strip()
        return self.STATES.get(state, UNKNOWN)


def detect(node) -> type[_Manager]:
    """Systemd when the node's PID 1 is systemd, else Supervisor; remembered per address."""
    key = (node.ip, node.ssh_port)
    if key not in _managers:
        init = ssh.run(node, ssh.build("cat", "/proc/1/comm"), timeout=15).stdout.strip()
        _managers[key] = Systemd if init == "systemd" else Supervisor
    return _managers[key]


def for_node(node, on_line=None) -> _Manager:
    return detect(node)(node, on_line)
