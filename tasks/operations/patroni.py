"""Reading a cluster's live state from Patroni on a node and waiting for it.

The state comes from Patroni's REST API (`GET /cluster` on the node's own port 8008, fetched with curl over
SSH): the same listing as `patronictl list`, without starting a Python program on the node for every poll."""
import json
import time

from tasks import ssh
from tasks.render.context import PATRONI_USER

PORT = 8008
ROLES = {"leader": "Leader", "standby_leader": "Standby Leader", "replica": "Replica",
         "sync_standby": "Sync Standby", "quorum_standby": "Quorum Standby"}


def parse_cluster(body: dict) -> list[dict]:
    """Patroni's /cluster document as `patronictl list -f json` rows: Member, Host, Role, State, TL, Lag in MB."""
    rows = []
    for member in body.get("members", []):
        lag = member.get("lag")
        rows.append({
            "Cluster": body.get("scope"), "Member": member.get("name"), "Host": member.get("host"),
            "Role": ROLES.get(member.get("role"), str(member.get("role", "")).replace("_", " ").title()),
            "State": member.get("state", ""), "TL": member.get("timeline"),
            "Lag in MB": round(lag / 1048576) if isinstance(lag, int) else (lag if lag is not None else ""),
            "Pending restart": "*" if member.get("pending_restart") else "",
        })
    return rows


def members(node, timeout: float = 20, connect_deadline: float | None = None) -> list[dict]:
    """The members of the node's cluster as Patroni reports them (see `parse_cluster`)."""
    result = ssh.run(node, ssh.build("curl", "-sS", "--max-time", "5", f"http://{node.ip}:{PORT}/cluster"),
                     timeout=timeout, connect_deadline=connect_deadline)
    return parse_cluster(json.loads(result.stdout or "{}"))


def curl_config(user: str, password: str) -> str:
    """curl's `-K` line giving the credentials: in double quotes, with backslash, double quote and line breaks
    escaped as curl reads them, so no password can end the line and add an option of its own."""
    text = f"{user}:{password}"
    for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        text = text.replace(raw, escaped)
    return f'user = "{text}"\n'


def request(node, method: str, path: str, password: str, body: dict | None = None, timeout: float = 90):
    """Call Patroni's REST API on the node with its credentials (on stdin, never on a command line); the
    result's stdout is the answer's body, then a line with the HTTP status."""
    config = curl_config(PATRONI_USER, password)
    data = ("-H", "Content-Type: application/json", "--data", json.dumps(body)) if body is not None else ()
    return ssh.run(node, ssh.build("curl", "-sS", "-K", "-", "-o", "/dev/stdout", "-w", "\\n%{http_code}",
                                   "-X", method, *data, f"http://{node.ip}:{PORT}{path}"),
                   stdin=config.encode(), secrets=[password], timeout=timeout)


def answer(result) -> tuple[int, str]:
    """(HTTP status, body) of a `request` result."""
    body, _, status = result.stdout.rstrip("\n").rpartition("\n")
    return (int(status) if status.isdigit() else 0), body


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
