"""Append-only, hash-chained audit entries (change log, job history, sign-ins): an entry is written once, chained
onto the last entry of its table under a lock, and never updated or deleted through the ORM. The chain head
remembers each table's last entry, so losing entries at the end is detected too."""
from django.db import models, transaction
from django.utils import timezone

from clusters.changelog.chain import entry_hash, lock_chains


class AppendOnlyError(Exception):
    """An audit entry was about to be changed or removed."""


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses every bulk path that would change, remove or skip the chaining of entries."""

    def _refuse(self, what):
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} are append-only: they cannot be {what}")

    def update(self, **kwargs):
        self._refuse("updated")

    def delete(self):
        self._refuse("deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        self._refuse("updated")

    def bulk_create(self, objs, *args, **kwargs):
        self._refuse("bulk-created (each entry is chained onto the one before: create them one by one)")


class ChainHead(models.Model):
    """The last entry of one chained table; moved only by appends, in the same transaction."""

    chain = models.CharField(max_length=100, primary_key=True, help_text="app_label.model of the chained table")
    last_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"{self.chain} → #{self.last_id}"


class ChainedEntry(models.Model):
    """Base of the audit tables. A subclass names its other hashed fields in `hashed_fields` (plain values: the
    hash must cover only what the row itself holds, so no foreign key that a later deletion could rewrite)."""

    time = models.DateTimeField(db_index=True, editable=False, help_text="when the entry joined the chain")
    deployment_id = models.BigIntegerField(null=True, blank=True, db_index=True, editable=False,
                                           help_text="the deployment the entry is about, when it has one")
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AppendOnlyQuerySet.as_manager()
    hashed_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def chain_content(self) -> dict:
        """The hashed values, each in its field's Python form (as it reads back: a UUID given as text hashes as
        the UUID it is)."""
        fields = (self._meta.get_field(name) for name in ("time", "deployment_id", *self.hashed_fields))
        return {field.name: field.to_python(getattr(self, field.attname)) for field in fields}

    def compute_hash(self) -> str:
        return entry_hash(self.chain_content(), self.prev_hash)

    def save(self, **kwargs):
        """Append: under the chain lock, take the time, chain onto the last entry, move the head."""
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError(f"{self._meta.verbose_name} #{self.pk} is append-only: it cannot be changed")
        label = self._meta.label_lower
        with transaction.atomic():
            lock_chains()
            head, _ = ChainHead.objects.get_or_create(chain=label)
            self.time, self.prev_hash = timezone.now(), head.last_hash
            self.hash = self.compute_hash()
            super().save(**{**kwargs, "force_insert": True})
            moved = ChainHead.objects.filter(chain=label, last_hash=head.last_hash).update(
                last_id=self.pk, last_hash=self.hash)
            if moved != 1:
                raise RuntimeError(f"the {label} chain moved while an entry was appended to it")

    def delete(self, **kwargs):
        raise AppendOnlyError(f"{self._meta.verbose_name} #{self.pk} is append-only: it cannot be deleted")
