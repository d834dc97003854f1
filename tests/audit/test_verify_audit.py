"""`manage.py verify_audit`: an intact trail passes with its counts; a change-log, job-history or sign-in row edited
with raw SQL, a row deleted, an entry rewritten with a recomputed hash, or entries removed at the end make it fail
(exit 1) naming the first tampered entry of each chain; the walk costs the same queries whatever the size."""
import io
import json

import pytest
from django.apps import apps
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters.changelog.chain import entry_hash
from clusters.changelog.context import change_context
from clusters.changelog.verify import CHAINS
from clusters.models import AuthEvent, ChainedEntry, ObjectChange
from tasks.models import Job, JobEvent
from tests import factories

pytestmark = pytest.mark.django_db


def verify() -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `manage.py verify_audit`."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def raw(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def some_changes(count: int = 3) -> list[ObjectChange]:
    with change_context(source="cli"):
        for _ in range(count):
            factories.deployment()
    return list(ObjectChange.objects.order_by("pk"))


def test_an_intact_trail_passes_with_its_counts():
    some_changes(3)
    Job.objects.create(kind="pgsql.backup")
    AuthEvent.objects.create(action="login_failed", username="nobody", source="ui")
    assert verify() == (0, "ok: 3 change-log entries, 1 job-history entries, 1 auth events verified\n", "")


def test_an_empty_trail_passes():
    assert verify()[0] == 0


def test_editing_a_change_log_row_with_raw_sql_names_that_row():
    first, edited, last = some_changes(3)
    raw("UPDATE clusters_objectchange SET after = %s WHERE id = %s",
        [json.dumps({**edited.after, "description": "nothing to see"}), edited.pk])
    code, _, err = verify()
    assert code == 1
    assert f"TAMPERED clusters_objectchange entry #{edited.pk} (" in err and "content hash mismatch" in err
    assert f"#{first.pk}" not in err and f"#{last.pk}" not in err


def test_the_exit_status_is_1_from_the_command_line():
    _, edited, _ = some_changes(3)
    raw("UPDATE clusters_objectchange SET user_name = 'someone else' WHERE id = %s", [edited.pk])
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "verify_audit"]).execute()
    assert exit_.value.code == 1


def test_a_deleted_row_is_found_at_the_next_one():
    _, deleted, after = some_changes(3)
    raw("DELETE FROM clusters_objectchange WHERE id = %s", [deleted.pk])
    code, _, err = verify()
    assert code == 1
    assert f"entry #{after.pk}" in err and "prev_hash does not match the previous entry" in err


def test_a_row_rewritten_with_a_recomputed_hash_breaks_the_link_to_the_next():
    _, rewritten, after = some_changes(3)
    rewritten.object_repr = "forged"
    forged = entry_hash(rewritten.chain_content(), rewritten.prev_hash)
    raw("UPDATE clusters_objectchange SET object_repr = 'forged', hash = %s WHERE id = %s", [forged, rewritten.pk])
    code, _, err = verify()
    assert code == 1 and f"entry #{after.pk}" in err and "prev_hash does not match" in err


def test_entries_deleted_at_the_end_are_found_through_the_chain_head():
    _, kept, removed = some_changes(3)
    raw("DELETE FROM clusters_objectchange WHERE id = %s", [removed.pk])
    code, _, err = verify()
    assert code == 1
    assert f"entry #{removed.pk}" in err and f"ends at entry #{kept.pk}" in err


def test_a_tampered_job_history_entry_is_named():
    job = Job.objects.create(kind="pgsql.apply", target_repr="pg-a")
    Job.objects.create(kind="pgsql.backup")
    requested = JobEvent.objects.get(job_id=job.pk)
    raw("UPDATE tasks_jobevent SET user_name = 'scapegoat' WHERE id = %s", [requested.pk])
    code, _, err = verify()
    assert code == 1 and f"TAMPERED tasks_jobevent entry #{requested.pk}" in err


def test_a_tampered_auth_event_is_named():
    for _ in range(2):
        AuthEvent.objects.create(action="login_failed", username="mallory", source="ui")
    first = AuthEvent.objects.order_by("pk").first()
    raw("UPDATE clusters_authevent SET username = 'alice' WHERE id = %s", [first.pk])
    code, _, err = verify()
    assert code == 1 and f"TAMPERED clusters_authevent entry #{first.pk}" in err


def test_every_broken_chain_is_reported():
    changes = some_changes(2)
    Job.objects.create(kind="pgsql.backup")
    raw("UPDATE clusters_objectchange SET source = 'api' WHERE id = %s", [changes[0].pk])
    raw("UPDATE tasks_jobevent SET status = 'succeeded'")
    code, _, err = verify()
    assert code == 1 and "clusters_objectchange" in err and "tasks_jobevent" in err
    assert "2 of 3 audit chains are broken" in err


def test_the_walk_costs_the_same_queries_whatever_the_size():
    some_changes(2)
    with CaptureQueriesContext(connection) as small:
        assert verify()[0] == 0
    some_changes(40)
    with CaptureQueriesContext(connection) as large:
        assert verify()[0] == 0
    assert len(large) == len(small)


def test_every_chained_table_is_verified():
    chained = {model._meta.label for model in apps.get_models() if issubclass(model, ChainedEntry)}
    assert chained == {label for label, _ in CHAINS}
