"""Install logic of the systemd manager with a fake SSH layer (no systemd node here): when it reloads systemd
and restarts a running service.
The supervisord manager runs for real on sandbox nodes (tests/sandbox/test_services_and_check.py)."""
import pytest

from tasks import services
from tasks.ssh.connection import CommandResult

SPEC = services.ServiceSpec("rds-unit", ["/bin/true"])


class FakeNode:
    ip, hostname = "203.0.113.9", "fake"


@pytest.fixture
def fake_ssh(monkeypatch):
    calls = {"commands": [], "upload": "unchanged", "need_reload": "no"}

    def run(node, command, **kwargs):
        calls["commands"].append(command)
        stdout = calls["need_reload"] + "\n" if "NeedDaemonReload" in command else ""
        return CommandResult(exit_code=0, stdout=stdout, stderr="", duration=0.0)

    monkeypatch.setattr(services.ssh, "run", run)
    monkeypatch.setattr(services.ssh, "upload", lambda *args, **kwargs: calls["upload"])
    return calls


@pytest.mark.parametrize("upload, need_reload, reloads, result", [
    ("changed", "no", True, "changed"),
    ("unchanged", "yes", True, "changed"),
    ("unchanged", "no", False, "unchanged"),
])
def test_systemd_reloads_when_the_unit_changed_or_is_not_loaded(fake_ssh, upload, need_reload, reloads, result):
    fake_ssh.update(upload=upload, need_reload=need_reload)
    assert services.Systemd(FakeNode()).install(SPEC) == result
    assert ("systemctl daemon-reload" in fake_ssh["commands"]) is reloads
    assert ("systemctl try-restart rds-unit" in fake_ssh["commands"]) is reloads
    assert fake_ssh["commands"][-1] == "systemctl enable rds-unit"
