"""Turning a stored Credential into what paramiko authenticates with."""
import hashlib
import io

import paramiko

KEY_CLASSES = (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey)


def load_private_key(text: str, passphrase: str | None = None) -> paramiko.PKey:
    """A paramiko key from private key text (OpenSSH or PEM; ed25519, ECDSA or RSA)."""
    errors = []
    for cls in KEY_CLASSES:
        try:
            return cls.from_private_key(io.StringIO(text), password=passphrase or None)
        except paramiko.SSHException as exc:
            errors.append(f"{cls.__name__}: {exc}")
    raise ValueError("unreadable private key (" + "; ".join(errors) + ")")


def auth_kwargs(credential) -> dict:
    """Keyword arguments of SSHClient.connect for a Credential (None: no credential, try nothing)."""
    if credential is None:
        return {}
    if credential.kind == "password":
        return {"password": credential.secret}
    return {"pkey": load_private_key(credential.secret, getattr(credential, "passphrase", None))}


def identity(credential) -> str:
    """A short digest distinguishing credentials (for pool keys); reveals nothing of the secret."""
    if credential is None:
        return "none"
    return hashlib.sha256(f"{credential.kind}\0{credential.secret}".encode()).hexdigest()[:16]
