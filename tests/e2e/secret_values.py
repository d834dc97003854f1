"""Every secret value the panel holds, read back by decrypting each encrypted field of every model, plus the
Django SECRET_KEY and the Fernet keys; and a finder telling which of them appear in a text, by label (model,
row, field and var path), never by value.

A secret is searched raw and in the forms a page or a JSON body would carry it (JSON-escaped, HTML-escaped,
URL-encoded). Inside a secret-var mapping a nested value counts when a key on its path names a secret
(pgbackrest_repo.minio.s3_key_secret), not its plain neighbours (the bucket name). A multi-line secret (a
private key) is also searched line by line, armour lines aside."""
import html
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from django.apps import apps
from django.conf import settings

from clusters.validators import is_secret_key
from rdsconsole.crypto import EncryptedJSONField, EncryptedTextField

# A shorter value would match unrelated text by chance (a 4-letter passphrase in any page); the panel generates
# 24-character passwords. Values skipped for this are listed, so a test can require that there are none.
MIN_LENGTH = 8


@dataclass
class Secrets:
    labels: dict = field(default_factory=dict)  # value → labels of the places holding it
    skipped: list = field(default_factory=list)  # labels of values shorter than MIN_LENGTH

    def add(self, label: str, value: str):
        if len(value) < MIN_LENGTH:
            self.skipped.append(label)
            return
        self.labels.setdefault(value, []).append(label)
        lines = value.splitlines()
        for number, line in enumerate(lines if len(lines) > 1 else [], start=1):
            line = line.strip()
            if len(line) >= MIN_LENGTH and not line.startswith("-----"):
                self.labels.setdefault(line, []).append(f"{label} (line {number})")

    def finder(self) -> "Finder":
        return Finder(self.labels)


def encrypted_fields(model) -> list:
    return [f for f in model._meta.concrete_fields if isinstance(f, (EncryptedTextField, EncryptedJSONField))]


def secret_leaves(value, path: str, secret: bool):
    """(path, string) of each secret string in a decrypted secret-var value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from secret_leaves(item, f"{path}.{key}", secret or is_secret_key(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from secret_leaves(item, f"{path}[{index}]", secret)
    elif isinstance(value, str) and secret and value:
        yield path, value


def collect() -> Secrets:
    """Decrypt every encrypted field of every row of every model (a top-level secret var is secret whatever its
    name: it was declared secret)."""
    found = Secrets()
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if not fields:
            continue
        for row in model._base_manager.all():
            for f in fields:
                value = getattr(row, f.attname)
                base = f"{model._meta.label_lower}#{row.pk} ({row}).{f.name}"
                if isinstance(f, EncryptedJSONField):
                    items = value.items() if isinstance(value, dict) else enumerate(value or [])
                    for key, item in items:
                        for path, leaf in secret_leaves(item, f"{base}.{key}", isinstance(item, str) or
                                                        is_secret_key(key)):
                            found.add(path, leaf)
                elif value:
                    found.add(base, value)
    found.add("settings.SECRET_KEY", settings.SECRET_KEY)
    for index, key in enumerate(settings.SECRETS_KEYS):
        found.add(f"settings.SECRETS_KEYS[{index}]", key)
    return found


def forms(value: str) -> set[str]:
    return {value, json.dumps(value, ensure_ascii=False)[1:-1], json.dumps(value)[1:-1], html.escape(value),
            quote(value, safe="")}


class Finder:
    def __init__(self, labels: dict):
        self.by_form = {}
        for value, where in labels.items():
            for form in forms(value):
                self.by_form.setdefault(form, where[0])
        alternatives = sorted(self.by_form, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, alternatives)))

    def labels_in(self, text: str) -> list[str]:
        """Labels of the secrets appearing in `text`."""
        return sorted({self.by_form[match.group(0)] for match in self.pattern.finditer(text)})

    def scan(self, where: str, text: str) -> list[str]:
        """One line per secret found: `where: label` (empty when the text holds none)."""
        return [f"{where}: holds {label}" for label in self.labels_in(text or "")]
