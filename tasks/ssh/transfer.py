"""Atomic file upload over SFTP: stage a temporary file next to the target, set owner and mode, rename.

Content is compared by SHA-256 on the node first; an identical file with the right owner and mode is left
alone and reported "unchanged". Non-root users stage under /tmp and finish through sudo.
"""
import hashlib
import posixpath
import secrets as random

from .command import build
from .connection import Connection

CHANGED, UNCHANGED = "changed", "unchanged"


def probe_command(path: str) -> str:
    """Create the parent directory; print the file's sha256 and owner:group:mode when it exists."""
    return (build("mkdir", "-p", "--", posixpath.dirname(path)) + " && if " + build("test", "-f", path)
            + "; then " + build("sha256sum", "--", path) + " && " + build("stat", "-c", "%U:%G:%a", "--", path)
            + "; fi")


def finish_command(staged: str, temp: str, path: str, owner: str, group: str, mode: int) -> str:
    """Move the staged file into place with owner and mode; `temp` sits in the target's directory and
    is renamed over `path`, so readers see the old file or the new one, never a partial one."""
    steps = [] if staged == temp else [build("cp", "--", staged, temp)]
    steps += [build("chown", f"{owner}:{group}", "--", temp), build("chmod", f"{mode:o}", "--", temp),
              build("mv", "-f", "--", temp, path)]
    leftovers = build("rm", "-f", "--", *dict.fromkeys([temp, staged]))
    after = ":" if staged == temp else build("rm", "-f", "--", staged)
    return f"if {' && '.join(steps)}; then {after}; else rc=$?; {leftovers}; exit $rc; fi"


def upload(conn: Connection, path: str, content: bytes | str, *, owner: str = "root", group: str | None = None,
           mode: int = 0o644, timeout: float = 60) -> str:
    """Put `content` at `path` on the node atomically; returns "changed" or "unchanged"."""
    data = content.encode() if isinstance(content, str) else content
    group = group or owner
    wanted_meta = f"{owner}:{group}:{mode:o}"
    probe = conn.run(probe_command(path), timeout=timeout).stdout.split()
    if probe and probe[0] == hashlib.sha256(data).hexdigest():
        if probe[-1] == wanted_meta:
            return UNCHANGED
        conn.run(build("chown", f"{owner}:{group}", "--", path) + " && " + build("chmod", f"{mode:o}", "--", path),
                 timeout=timeout)
        return CHANGED
    token = random.token_hex(6)
    temp = posixpath.join(posixpath.dirname(path), f".{posixpath.basename(path)}.rds-{token}")
    staged = temp if conn.is_root else f"/tmp/.rds-upload-{token}"
    sftp = conn.sftp()
    with sftp.open(staged, "wb") as remote:
        remote.chmod(0o600)
        remote.set_pipelined(True)
        remote.write(data)
    conn.run(finish_command(staged, temp, path, owner, group, mode), timeout=timeout)
    return CHANGED
