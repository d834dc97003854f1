"""Steps shared by kinds: checking that every node answers, writing files and noting what changed."""
from tasks import ssh
from tasks.jobs import JobFailed
from tasks.ssh.transfer import CHANGED

from tasks.operations import packages, parallel


def reach_all(ctx, nodes, programs: dict):
    """Every node answers over SSH and has (or gets) the programs; all nodes checked at once."""
    def check(node):
        ssh.run(node, ssh.build("true"), timeout=15)
        packages.ensure(ctx, node, programs)
        ctx.log("reachable, programs present", node=node.ip)
    parallel.each(nodes, check)


def write(ctx, node, path: str, content: str, *, owner: str = "root", mode: int = 0o644) -> bool:
    """Upload a file; note and return whether it changed."""
    if ssh.upload(node, path, content, owner=owner, mode=mode) == CHANGED:
        ctx.note_change(f"wrote {path}", node=node.ip)
        return True
    return False


def mkdirs(node, paths, owner: str, mode: str = "0700"):
    ssh.run(node, ssh.build("install", "-d", "-o", owner, "-g", owner, "-m", mode, *paths), timeout=20)


def fail_unless(condition, reason: str, node: str = ""):
    if not condition:
        raise JobFailed(reason, node=node)
