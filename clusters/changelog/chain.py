"""The hash chain of the audit tables: each entry's hash is sha256 over its content and the hash of the entry
before it, so editing, deleting or reordering an entry breaks the chain from there on (`manage.py verify_audit`
finds where). The content is serialized canonically (sorted-key JSON of values as they read back from the
database), so a row hashes the same before and after its round trip through PostgreSQL or SQLite."""
import hashlib
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection

# pg_advisory_xact_lock key serializing appends to every audit chain (a fixed, arbitrary 63-bit number)
CHAIN_LOCK_KEY = 7_340_312_905_117_402_113


def _scalar(value):
    """JSON form of the non-JSON scalars an entry holds: datetimes in UTC at microsecond precision, UUIDs."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"an audit entry cannot hold a {type(value).__name__}")


def _number(text: str):
    """A JSON number with a fraction or exponent, the way jsonb hands it back: jsonb stores the decimal `1e+20`
    and returns `100000000000000000000`, an integer; so a whole number counts as that integer."""
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(text)


def canonical(content: dict, prev_hash: str) -> bytes:
    """The bytes an entry's hash covers: its content plus the previous entry's hash, as sorted-key JSON."""
    plain = json.loads(json.dumps({**content, "prev_hash": prev_hash}, default=_scalar), parse_float=_number)
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(content: dict, prev_hash: str) -> str:
    return hashlib.sha256(canonical(content, prev_hash)).hexdigest()


def lock_chains():
    """Serialize appends until the current transaction ends, so two writers never chain onto the same entry.
    One lock for every chain (a transaction may append to several; one lock cannot deadlock). On PostgreSQL
    an advisory transaction lock; SQLite serializes writers itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
