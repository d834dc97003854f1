"""Encryption of secrets at rest (Fernet keys from settings, newest first) and the model fields using it."""
import json
from functools import lru_cache

from cryptography.fernet import InvalidToken, MultiFernet, Fernet
from django.conf import settings
from django.db import models

PREFIX = "fernet:"
MASK = "$encrypted$"


@lru_cache(maxsize=4)
def _cipher(keys: tuple) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.SECRETS_KEYS))


def encrypt(plaintext: str) -> str:
    return PREFIX + cipher().encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("value is not an encrypted token")
    try:
        return cipher().decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("secret cannot be decrypted with the configured RDS_SECRETS_KEYS") from exc


def rotate(stored: str) -> str:
    """Re-encrypt a stored token with the newest key (ValueError when none of the configured keys opens it)."""
    if not stored.startswith(PREFIX):
        raise ValueError("value is not an encrypted token")
    try:
        return PREFIX + cipher().rotate(stored[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("secret cannot be decrypted with the configured RDS_SECRETS_KEYS") from exc


def is_encrypted_field(field) -> bool:
    return isinstance(field, (EncryptedTextField, EncryptedJSONField))


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python code sees the plaintext."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)


class EncryptedJSONField(models.TextField):
    """A JSON value (usually a dict of secret vars) stored as one Fernet token of its JSON text."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return {}
        return json.loads(decrypt(value))

    def to_python(self, value):
        if not isinstance(value, str):
            return value
        if value in (None, ""):
            return {}
        return json.loads(value)

    def get_prep_value(self, value):
        return encrypt(json.dumps(value if value is not None else {}, sort_keys=True))
