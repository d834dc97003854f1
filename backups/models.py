"""A cluster's backups: its policy (configuration, change-logged), what the panel knows of its repository — the
catalogue read from pgBackRest (one Backup row per backup set, the recovery window in BackupCatalog) — and the
point-in-time restore requests with their approvals. The catalogue is an observation, refreshed by every backup
job and by `POST /clusters/{id}/backups/refresh/`; it is not in the change log and nobody edits it."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from clusters.models import Node, PGCluster
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
    keeps (pgBackRest's repo1-retention-full, passed to every backup of the cluster so expiry follows it); and
    when and where its restore drill runs."""

    cluster = models.OneToOneField(PGCluster, on_delete=models.CASCADE, related_name="backup_policy")
    enabled = models.BooleanField(default=True)
    schedule = models.CharField(max_length=100, default="00 01 * * *", validators=[crontab],
                                help_text="cron fields in the panel's time zone; Pigsty's default is 01:00 daily")
    type = models.CharField(max_length=4, choices=BACKUP_TYPES, default="full",
                            help_text="type of the scheduled backups")
    retention_full = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="full backups to keep; empty: the repo's retention_full (local: 2)")
    drill_schedule = models.CharField(max_length=100, blank=True, validators=[crontab],
                                      help_text="cron fields of the restore drill; empty: no scheduled drill")
    drill_node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   help_text="the scratch node drills restore on (runs no PostgreSQL instance)")

    class Meta:
        verbose_name_plural = "backup policies"

    def __str__(self):
        return f"backup policy of {self.cluster.name}"

    def clean(self):
        errors = {}
        if self.drill_schedule and self.drill_node_id is None:
            errors["drill_node"] = ["a scheduled drill needs the scratch node it restores on"]
        if self.drill_node_id is not None:
            if self.drill_node.deployment_id != self.cluster.deployment_id:
                errors["drill_node"] = [f"{self.drill_node.ip} is not a node of {self.cluster.name}'s deployment"]
            elif self.drill_node.pg_instances.exists():
                errors["drill_node"] = [f"{self.drill_node.ip} runs a PostgreSQL instance; a drill needs a scratch "
                                        f"node"]
        if errors:
            raise ValidationError(errors)


RESTORE_TARGETS = [(t, t) for t in ("latest", "time", "xid", "lsn", "name", "immediate")]
RESTORE_MODES = [("branch", "branch"), ("in-place", "in-place")]
RESTORE_STATES = [(s, s) for s in ("pending", "approved", "running", "succeeded", "failed", "rejected", "expired")]
OPEN_STATES = ("pending",)


class RestoreRequest(ChangeLoggedModel):
    """A point-in-time restore someone asked for, and where it stands: pending approval → approved → running →
    succeeded / failed; or rejected, or expired. A branch restore builds `new_cluster` (declared with the request,
    on the chosen nodes) from the source cluster's repository; an in-place restore rolls the cluster itself back.
    Every transition is a save, so the change log records who moved it when."""

    cluster = models.ForeignKey(PGCluster, on_delete=models.CASCADE, related_name="restore_requests",
                                help_text="the cluster whose backups and WAL are restored")
    target_type = models.CharField(max_length=10, choices=RESTORE_TARGETS, default="latest",
                                   help_text="latest (end of WAL), time, xid, lsn, name (restore point), immediate")
    target = models.CharField(max_length=100, blank=True,
                              help_text="the time, xid, LSN or restore point name (empty for latest and immediate)")
    target_time = models.DateTimeField(null=True, blank=True, help_text="the target as a time (type time)")
    inclusive = models.BooleanField(default=True, help_text="false: stop just before the target")
    mode = models.CharField(max_length=8, choices=RESTORE_MODES)
    new_cluster = models.OneToOneField(PGCluster, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="restored_from", help_text="branch: the cluster restored into")
    reason = models.TextField()
    state = models.CharField(max_length=10, choices=RESTORE_STATES, default="pending")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="restore_requests", help_text="empty once that account is deleted")
    approvals_required = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField(help_text="a request not approved by then expires")
    job = models.ForeignKey("tasks.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="restores")
    reached = models.JSONField(default=dict, blank=True,
                               help_text="the point recovery actually reached: time, LSN, timeline")

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"restore #{self.pk} of {self.cluster.name} ({self.mode}, {self.target_type})"


class RestoreDecision(models.Model):
    """One approver's approve or reject of a restore request, with their comment."""

    request = models.ForeignKey(RestoreRequest, on_delete=models.CASCADE, related_name="decisions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    user_name = models.CharField(max_length=150)
    decision = models.CharField(max_length=8, choices=[("approve", "approve"), ("reject", "reject")])
    comment = models.TextField(blank=True)
    time = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["time", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "user"], name="one_decision_per_approver")]


class RestoreDrill(models.Model):
    """A restore drill that passed: the cluster's newest backup restored on a scratch node, recovered, checked and
    thrown away. The newest row is the cluster's last verified restore (an observation: not change-logged)."""

    cluster = models.ForeignKey(PGCluster, on_delete=models.CASCADE, related_name="restore_drills")
    node = models.ForeignKey(Node, null=True, on_delete=models.SET_NULL, related_name="+")
    job = models.ForeignKey("tasks.Job", null=True, on_delete=models.SET_NULL, related_name="+")
    finished = models.DateTimeField()
    backup_label = models.CharField(max_length=64, help_text="the backup set pgBackRest restored")
    reached = models.JSONField(default=dict, help_text="the consistent point recovery reached")
    seconds = models.FloatField(help_text="restore, recovery and checks, wall time")

    class Meta:
        ordering = ["-finished"]
