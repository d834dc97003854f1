"""A cluster's backups: its policy (configuration, change-logged) and what the panel knows of its repository —
the catalogue read from pgBackRest (one Backup row per backup set, the recovery window in BackupCatalog). The
catalogue is an observation, refreshed by every backup job and by `POST /clusters/{id}/backups/refresh/`; it is
not in the change log and nobody edits it."""
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from clusters.models import PGCluster
from clusters.models.base import ChangeLoggedModel

BACKUP_TYPES = [("full", "full"), ("diff", "diff"), ("incr", "incr")]


class BackupCatalog(models.Model):
    cluster = models.OneToOneField(PGCluster, on_delete=models.CASCADE, related_name="backup_catalog")
    refreshed_at = models.DateTimeField(help_text="when pgBackRest was last asked")
    read_from = models.GenericIPAddressField(help_text="the node whose pgBackRest answered (the primary)")
    status = models.CharField(max_length=200, blank=True, help_text="pgBackRest's stanza status message")
    wal_min = models.CharField(max_length=40, blank=True, help_text="oldest WAL segment in the repository")
    wal_max = models.CharField(max_length=40, blank=True, help_text="newest WAL segment in the repository")
    earliest_restorable = models.DateTimeField(null=True, blank=True,
                                               help_text="end of the oldest backup: PITR cannot go earlier")
    latest_restorable = models.DateTimeField(null=True, blank=True,
                                             help_text="newest archived WAL's time: PITR cannot go later")

    def __str__(self):
        return f"backup catalogue of {self.cluster.name}"


class Backup(models.Model):
    cluster = models.ForeignKey(PGCluster, on_delete=models.CASCADE, related_name="backups")
    label = models.CharField(max_length=64, help_text="pgBackRest's backup label, e.g. 20261125-101500F")
    type = models.CharField(max_length=4, choices=BACKUP_TYPES)
    prior = models.CharField(max_length=64, blank=True, help_text="label of the backup a diff/incr builds on")
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField()
    size = models.BigIntegerField(help_text="database size at backup time, bytes")
    delta = models.BigIntegerField(help_text="bytes this backup copied")
    repo_size = models.BigIntegerField(help_text="bytes in the repository (compressed)")
    repo_delta = models.BigIntegerField(help_text="bytes this backup added to the repository")
    wal_start = models.CharField(max_length=40)
    wal_stop = models.CharField(max_length=40)
    lsn_start = models.CharField(max_length=32)
    lsn_stop = models.CharField(max_length=32)
    error = models.BooleanField(default=False, help_text="pgBackRest found page checksum errors")

    class Meta:
        ordering = ["cluster", "-started_at"]
        constraints = [models.UniqueConstraint(fields=["cluster", "label"], name="backup_label_unique_per_cluster")]

    def __str__(self):
        return f"{self.cluster.name} {self.label}"


def crontab(value: str):
    """Five cron fields, minute hour day-of-month month day-of-week, as in Pigsty's node_crontab entries."""
    from django_celery_beat.validators import crontab_validator

    if len(value.split()) != 5:
        raise ValidationError("must be five cron fields: minute hour day-of-month month day-of-week, "
                              "e.g. '00 01 * * *' for 01:00 every day")
    crontab_validator(value)


class BackupPolicy(ChangeLoggedModel):
    """When a cluster backs up by itself (Celery beat), which type, and how many full backups the repository
    keeps (pgBackRest's repo1-retention-full, passed to every backup of the cluster so expiry follows it)."""

    cluster = models.OneToOneField(PGCluster, on_delete=models.CASCADE, related_name="backup_policy")
    enabled = models.BooleanField(default=True)
    schedule = models.CharField(max_length=100, default="00 01 * * *", validators=[crontab],
                                help_text="cron fields in the panel's time zone; Pigsty's default is 01:00 daily")
    type = models.CharField(max_length=4, choices=BACKUP_TYPES, default="full",
                            help_text="type of the scheduled backups")
    retention_full = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="full backups to keep; empty: the repo's retention_full (local: 2)")

    class Meta:
        verbose_name_plural = "backup policies"

    def __str__(self):
        return f"backup policy of {self.cluster.name}"
