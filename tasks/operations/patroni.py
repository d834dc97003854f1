"""Reading a cluster's live state from Patroni on a node (patronictl, over SSH) and waiting for it."""
import json
import time

from tasks import ssh

CONFIG = "/etc/patroni/patroni.yml"


def members(node, timeout: float = 20) -> list[dict]:
    """`patronictl list` as dicts: Member, Host, Role (Leader/Replica/Sync Standby), State, TL, Lag in MB."""
    result = ssh.run(node, ssh.build("patronictl", "-c", CONFIG, "list", "-f", "json"), timeout=timeout)
    return json.loads(result.stdout or "[]")


def leader(members_list: list[dict]) -> dict | None:
    return next((m for m in members_list if m.get("Role") in ("Leader", "Standby Leader")), None)


def wait_for(check, timeout: float, interval: float = 0.5, what: str = "condition"):
    """Call `check` until it returns a truthy value; raise TimeoutError naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = check()
            if value:
                return value
        except ssh.SSHError as exc:
            last_error = exc
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise TimeoutError(f"{what} not reached within {timeout:.0f} s{detail}")
        time.sleep(interval)
