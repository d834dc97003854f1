"""Test helper: empty every audit chain and its head, past the append-only guard, as only the teardown of a test
that commits rows may (an empty trail verifies; a partly emptied one would not)."""
from clusters.models import AuthEvent, ChainHead, ObjectChange
from tasks.models import JobEvent


def wipe_audit_trail():
    for model in (ObjectChange, JobEvent, AuthEvent):
        model._base_manager.all().delete()
    ChainHead.objects.all().delete()
