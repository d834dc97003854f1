"""SCRAM-SHA-256 verifiers as PostgreSQL stores them: build one, and check a password against one, so jobs can
tell whether a role's password already matches without ever logging it."""
import base64
import hashlib
import hmac
import os

ITERATIONS = 4096


def _keys(password: str, salt: bytes, iterations: int) -> tuple[bytes, bytes]:
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    return stored_key, server_key


def verifier(password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or os.urandom(16)
    stored_key, server_key = _keys(password, salt, iterations)
    b64 = lambda raw: base64.b64encode(raw).decode()  # noqa: E731
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def matches(stored: str | None, password: str) -> bool:
    """True when `stored` (pg_authid.rolpassword) is the verifier of `password`."""
    if not stored or not stored.startswith("SCRAM-SHA-256$"):
        return False
    try:
        _, params, keys = stored.split("$")
        iterations, salt = params.split(":")
        stored_key, server_key = keys.split(":")
        want = _keys(password, base64.b64decode(salt), int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(want[0], base64.b64decode(stored_key)) and \
        hmac.compare_digest(want[1], base64.b64decode(server_key))
