"""Saving a catalogue read from pgBackRest: the cluster's BackupCatalog (recovery window) and one Backup row per
backup set; rows of sets the repository no longer holds (expired by retention) are deleted."""
from django.db import transaction
from django.utils import timezone

from .catalog import Catalog, recovery_window
from .models import Backup, BackupCatalog


def store(cluster, read_from: str, catalog: Catalog, archiver: dict) -> BackupCatalog:
    earliest, latest = recovery_window(catalog, archiver.get("wal", ""), archiver.get("time"))
    with transaction.atomic():
        saved, _ = BackupCatalog.objects.update_or_create(cluster=cluster, defaults={
            "refreshed_at": timezone.now(), "read_from": read_from, "status": catalog.status[:200],
            "wal_min": catalog.wal_min, "wal_max": catalog.wal_max,
            "earliest_restorable": earliest, "latest_restorable": latest})
        labels = [b.label for b in catalog.backups]
        Backup.objects.filter(cluster=cluster).exclude(label__in=labels).delete()
        for found in catalog.backups:
            fields = {name: getattr(found, name) for name in (
                "type", "prior", "started_at", "stopped_at", "size", "delta", "repo_size", "repo_delta",
                "wal_start", "wal_stop", "lsn_start", "lsn_stop", "error")}
            Backup.objects.update_or_create(cluster=cluster, label=found.label, defaults=fields)
    return saved
