"""Jobs (one run of an operation on a target) and their log lines, stored as rows so the UI and API can
follow a running job and read a finished one the same way; and the job history, append-only and hash-chained,
since a job's own row changes while it runs."""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from clusters.models.chained import ChainedEntry

ACTIVE_STATUSES = ("queued", "running")


class Job(models.Model):
    STATUSES = [(s, s) for s in ("queued", "running", "succeeded", "failed", "cancelled")]

    kind = models.CharField(max_length=64, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    object_id = models.BigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    target_repr = models.CharField(max_length=200, blank=True)
    deployment = models.ForeignKey("clusters.Deployment", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="jobs", help_text="the target's deployment: who may see the job")
    lock_key = models.CharField(max_length=100, blank=True,
                                help_text="mutating jobs on the same object share a key; one may be active")
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default="queued", db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="jobs")
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    step_index = models.PositiveIntegerField(default=0)
    step_count = models.PositiveIntegerField(default=0)
    step_name = models.CharField(max_length=100, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    worker = models.CharField(max_length=200, blank=True, help_text="hostname:pid of the worker running it")

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["lock_key"], condition=Q(status__in=ACTIVE_STATUSES) & ~Q(lock_key=""),
                                    name="one_active_job_per_lock"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.target_repr} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def progress(self) -> dict:
        return {"step": self.step_index, "of": self.step_count, "name": self.step_name}


class JobLogLine(models.Model):
    LEVELS = [(lvl, lvl) for lvl in ("debug", "info", "warning", "error")]

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="log_lines")
    seq = models.PositiveIntegerField()
    time = models.DateTimeField(auto_now_add=True)
    level = models.CharField(max_length=8, choices=LEVELS, default="info")
    node = models.CharField(max_length=64, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["job", "seq"]
        constraints = [models.UniqueConstraint(fields=["job", "seq"], name="job_log_seq_unique")]

    def __str__(self):
        return f"[{self.level}] {self.node} {self.text}"


class JobEvent(ChainedEntry):
    """One moment of a job's history: requested (kind, target, params as stored, by whom), started (on which
    worker), finished (final status, error, result summary). Plain values, no foreign keys: deleting the job or
    its target must not rewrite a hashed entry."""

    EVENTS = [("requested", "requested"), ("started", "started"), ("finished", "finished")]

    job_id = models.BigIntegerField(db_index=True)
    event = models.CharField(max_length=10, choices=EVENTS)
    kind = models.CharField(max_length=64)
    target_type = models.CharField(max_length=100, blank=True, help_text="app_label.model of the target")
    target_id = models.BigIntegerField(null=True, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    user_name = models.CharField(max_length=150, blank=True, help_text="who requested the job")
    status = models.CharField(max_length=10, help_text="the job's status after this event")
    params = models.JSONField(null=True, blank=True, help_text="requested: the params as stored (secrets masked)")
    worker = models.CharField(max_length=200, blank=True, help_text="started: hostname:pid of the worker")
    error = models.TextField(blank=True, help_text="finished: why it failed or was cancelled")
    summary = models.TextField(blank=True, help_text="finished: the result's summary")

    hashed_fields = ("job_id", "event", "kind", "target_type", "target_id", "target_repr", "user_name", "status",
                     "params", "worker", "error", "summary")

    class Meta:
        ordering = ["-time", "-id"]

    def __str__(self):
        return f"job #{self.job_id} {self.kind} {self.event} ({self.status})"
