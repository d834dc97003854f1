"""Re-encrypt every secret at rest with the newest key of RDS_SECRETS_KEYS, or make a new key.

Rotation: put a new key first (`RDS_SECRETS_KEYS=<new>,<old>`) for every process of the panel (web, worker, beat),
run this command, then drop the old key. Every encrypted column of every model is found by looking at the models; the
rows are rewritten by queryset updates in one transaction (rows locked while it runs), so no change-log entry is
written for what is only a new ciphertext of the same secret."""
from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast

from rdsconsole import crypto


def encrypted_fields() -> dict:
    """{model: [encrypted fields]} over every installed model (local fields only: a column belongs to one table)."""
    found = {}
    for model in apps.get_models():
        fields = [field for field in model._meta.local_concrete_fields if crypto.is_encrypted_field(field)]
        if fields:
            found[model] = fields
    return found


def rotate_rows(model, fields) -> int:
    """Re-encrypt the stored tokens of `fields` in every row of `model`; the number of rows rewritten."""
    raw = {f"stored_{field.attname}": Cast(field.attname, TextField()) for field in fields}
    rows = model._base_manager.select_for_update().annotate(**raw).values_list("pk", *raw).order_by("pk")
    rewritten = 0
    for pk, *stored in rows:
        updates = {}
        for field, value in zip(fields, stored):
            if not value:
                continue
            try:
                updates[field.attname] = Value(crypto.rotate(value), output_field=TextField())
            except ValueError as exc:
                raise CommandError(f"{model._meta.label} #{pk} {field.name}: {exc}; nothing was changed "
                                   f"(is the key it was encrypted with still in the list?)") from None
        if updates:
            model._base_manager.filter(pk=pk).update(**updates)
            rewritten += 1
    return rewritten


class Command(BaseCommand):
    help = ("Re-encrypt every encrypted column with the first key of RDS_SECRETS_KEYS (the others only decrypt); "
            "--generate-key prints a new key to put first.")

    def add_arguments(self, parser):
        parser.add_argument("--generate-key", action="store_true", help="print a new Fernet key and change nothing")

    def handle(self, *args, generate_key, **options):
        if generate_key:
            self.stdout.write(Fernet.generate_key().decode())
            return
        total = 0
        with transaction.atomic():
            for model, fields in encrypted_fields().items():
                count = rotate_rows(model, fields)
                total += count
                self.stdout.write(f"{model._meta.label}: {count} row(s) re-encrypted "
                                  f"({', '.join(field.name for field in fields)})")
        self.stdout.write(f"{total} row(s) re-encrypted with the first of {len(settings.SECRETS_KEYS)} key(s) of "
                          f"RDS_SECRETS_KEYS; the others can now be removed from it (restart web, worker and beat).")
