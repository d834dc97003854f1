"""Ed25519 key pairs in OpenSSH format, for the sandbox's client credential and each node's sshd host key."""
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def generate_ed25519(comment: str) -> tuple[str, str]:
    """Return (private key in OpenSSH PEM text, public key line "ssh-ed25519 BASE64 comment")."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return private, f"{public.decode()} {comment}"
