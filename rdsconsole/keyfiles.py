"""Keys for a zero-setup local run: read from a file under var/, created once with mode 0600."""
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def read_or_create_key(path: Path, kind: str) -> str:
    """Return the key stored at `path`, generating a new `kind` ("django" or "fernet") key if absent."""
    path = Path(path)
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode() if kind == "fernet" else secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
