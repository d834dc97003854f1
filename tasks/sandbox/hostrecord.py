"""What sandboxes changed on the host itself, shared by every sandbox on it.

The guard route and mount points that did not exist on the host (such as /pg) are used by all sandboxes at
once, so whichever `up` creates them records them here and the `down` that leaves no sandbox running
removes them. Removing a mount point still used by another sandbox's nodes would detach their mounts.
"""
import json
from pathlib import Path

RECORD = Path("/var/lib/rdsconsole-sandbox-host.json")


def load(path: Path = RECORD) -> dict:
    if path.exists():
        return json.loads(path.read_text())
    return {"guard_route": False, "mountpoints": []}


def save(record: dict, path: Path = RECORD) -> None:
    if not record["guard_route"] and not record["mountpoints"]:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1))
