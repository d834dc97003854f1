"""Job and job-log serializers."""
from rest_framework import serializers

from tasks.models import Job, JobLogLine


class JobSerializer(serializers.ModelSerializer):
    progress = serializers.DictField(read_only=True)
    target_type = serializers.SerializerMethodField()
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default=None)

    class Meta:
        model = Job
        fields = ["id", "kind", "target_type", "object_id", "target_repr", "params", "status", "requested_by",
                  "created", "started_at", "finished_at", "progress", "result", "error", "cancel_requested"]
        read_only_fields = fields

    def get_target_type(self, obj) -> str | None:
        return obj.content_type.model if obj.content_type_id else None


class JobLogLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobLogLine
        fields = ["seq", "time", "level", "node", "text"]
