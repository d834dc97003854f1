"""The connection pool's sharing of a failed connection attempt (fake connect: pure pooling logic). Real connects,
refusals and timeouts are tested on the sandbox in tests/sandbox/test_ssh_layer.py."""
import threading
import time
from types import SimpleNamespace

import pytest

from tasks.ssh import pool as pool_module
from tasks.ssh.errors import NodeUnreachableError

NODE = SimpleNamespace(ip="198.18.0.250", ssh_port=22, ssh_user="root", host_key="",
                       credential=SimpleNamespace(kind="password", secret="x", username="root", pk=1))


@pytest.fixture
def attempts(monkeypatch):
    calls = []

    def unreachable(node, deadline=None):
        calls.append(time.monotonic())
        time.sleep(0.3)
        raise NodeUnreachableError(node.ip, "no SSH session on port 22 after 3 attempts in 15 s")
    monkeypatch.setattr(pool_module.Connection, "open", staticmethod(unreachable))
    return calls


def test_callers_queued_behind_a_failed_connect_fail_at_once(attempts):
    pool, errors = pool_module.Pool(), []

    def get():
        try:
            pool.get(NODE)
        except NodeUnreachableError as exc:
            errors.append((time.monotonic(), exc))
    started = time.monotonic()
    threads = [threading.Thread(target=get) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(attempts) == 1 and len(errors) == 6
    assert max(t for t, _ in errors) - started < 0.3 + 0.2
    assert "no SSH session" in str(errors[-1][1])


def test_a_caller_after_the_failure_tries_again(attempts):
    """The node may be back: only callers that waited for the failed attempt share its error."""
    pool = pool_module.Pool()
    for _ in range(2):
        with pytest.raises(NodeUnreachableError):
            pool.get(NODE)
    assert len(attempts) == 2


def test_a_caller_bounding_its_connect_time_gets_a_recent_failure_at_once(attempts, monkeypatch):
    pool = pool_module.Pool()
    with pytest.raises(NodeUnreachableError):
        pool.get(NODE)
    with pytest.raises(NodeUnreachableError):
        pool.get(NODE, connect_deadline=2)
    assert len(attempts) == 1
    monkeypatch.setattr(pool_module, "FAILURE_MEMORY", 0.0)
    with pytest.raises(NodeUnreachableError):
        pool.get(NODE, connect_deadline=2)
    assert len(attempts) == 2
