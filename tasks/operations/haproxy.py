"""HAProxy's runtime API on a node (the admin socket declared in haproxy.cfg, spoken to with socat): a job can
take a server out of a service or put it in at once, instead of waiting for rise × fastinter health checks.

Writer services are those whose health check asks Patroni for the primary; reader services those that ask for
a replica. Only the health state is forced: the next health checks keep agreeing with Patroni."""
from tasks import ssh
from tasks.render import proxy

SOCKET = "/var/run/haproxy.sock"
WRITER_CHECKS = {"/primary", "/read-write", "/leader", "/master"}
READER_CHECKS = {"/replica", "/async", "/sync"}


def send(node, commands: list[str], timeout: float = 10) -> str:
    """Run runtime-API commands (one line, `;`-separated) on the node's HAProxy; their output."""
    if not commands:
        return ""
    result = ssh.run(node, ssh.build("socat", "stdio", SOCKET), stdin=("; ".join(commands) + "\n").encode(),
                     timeout=timeout)
    return result.stdout


def _services(cluster):
    for service in proxy.services(cluster):
        names = {server["name"] for server in service["servers"]}
        yield service["name"], service["check"].split("?", 1)[0], names


def drain_writer(cluster, old: str) -> list[str]:
    """Commands that stop new connections to `old` in the writer services (queued until a writer is up)."""
    return [f"set server {name}/{old} state drain" for name, check, names in _services(cluster)
            if check in WRITER_CHECKS and old in names]


def promote_writer(cluster, old: str, new: str) -> list[str]:
    """Commands that make `new` the writer and `old` a non-writer in every service, at once."""
    commands = []
    for name, check, names in _services(cluster):
        if check in WRITER_CHECKS:
            if new in names:
                commands += [f"set server {name}/{new} state ready", f"set server {name}/{new} health up"]
            if old in names:
                commands += [f"set server {name}/{old} health down", f"set server {name}/{old} state ready"]
        elif check in READER_CHECKS and new in names:
            commands.append(f"set server {name}/{new} health down")
    return commands


def server_states(node) -> dict:
    """{(service, server): operational state} from `show servers state` (2 = running/up, 0 = stopped/down)."""
    states = {}
    for line in send(node, ["show servers state"]).splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[0].isdigit():
            states[(fields[1], fields[3])] = int(fields[5])
    return states
