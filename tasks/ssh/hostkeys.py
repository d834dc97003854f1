"""Host key pinning: the key a node offered on its first successful connection is stored on the node
(`Node.host_key`, "type base64") and every later connection must present the same one."""
import base64
import hashlib
import socket

import paramiko


def host_id(ip: str, port: int) -> str:
    """The name paramiko looks host keys up by."""
    return ip if port == 22 else f"[{ip}]:{port}"


def format_key(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.get_base64()}"


def parse_key(pinned: str) -> paramiko.PKey:
    """A key from "type base64 [comment]"."""
    parts = pinned.split()
    if len(parts) < 2:
        raise ValueError("a pinned host key is 'type base64'")
    return paramiko.PKey.from_type_string(parts[0], base64.b64decode(parts[1]))


def fingerprint(key: paramiko.PKey | str) -> str:
    """OpenSSH-style SHA256 fingerprint, as `ssh-keygen -lf` prints it."""
    if isinstance(key, str):
        key = parse_key(key)
    digest = base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def fetch_key(ip: str, port: int, timeout: float) -> paramiko.PKey:
    """The host key a node offers now (key exchange only, no authentication)."""
    sock = socket.create_connection((ip, port), timeout=timeout)
    transport = paramiko.Transport(sock)
    try:
        transport.start_client(timeout=timeout)
        return transport.get_remote_server_key()
    finally:
        transport.close()


class RecordFirstKey(paramiko.MissingHostKeyPolicy):
    """Accept the key of a node that has none pinned yet; the caller pins it once authentication succeeds."""

    def missing_host_key(self, client, hostname, key):
        client.get_host_keys().add(hostname, key.get_name(), key)
