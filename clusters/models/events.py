"""ClusterEvent: something that happened to a cluster on its nodes, as the panel observed it — a failover that no
job caused, a switchover a job made. Events are observations, not configuration: they are not in the change
log, and nobody edits them."""
from django.db import models
from django.utils import timezone

from .pgsql import PGCluster


class ClusterEvent(models.Model):
    KINDS = [("failover", "failover"), ("switchover", "switchover")]

    cluster = models.ForeignKey(PGCluster, on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField(default=timezone.now, db_index=True, help_text="when the panel saw it happen")
    kind = models.CharField(max_length=16, choices=KINDS)
    message = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey("tasks.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="events",
                            help_text="the job that caused it, if any")

    class Meta:
        ordering = ["-time", "-pk"]

    def __str__(self):
        return self.message
