"""Two writers appending at the same time (each in its own transaction and connection, held open a moment) do not
fork the chain: every entry chains onto a different predecessor and the whole chain verifies."""
import threading
import time

import pytest
from django.db import connection, transaction

from clusters.changelog.verify import verify_chain
from clusters.models import AuthEvent

APPENDS = 15


def append_many(name: str, errors: list):
    try:
        for _ in range(APPENDS):
            with transaction.atomic():
                AuthEvent.objects.create(action="login", username=name, source="system")
                time.sleep(0.005)  # hold the transaction open: the other writer must wait, not chain alongside
    except Exception as exc:  # noqa: BLE001  (reported to the test thread)
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes writers itself")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_do_not_fork_the_chain():
    errors = []
    writers = [threading.Thread(target=append_many, args=(name, errors)) for name in ("alice", "bob")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert errors == []
    entries = list(AuthEvent.objects.order_by("pk"))
    assert len(entries) == 2 * APPENDS
    assert len({entry.prev_hash for entry in entries}) == len(entries)
    assert {entry.username for entry in entries} == {"alice", "bob"}
    report = verify_chain(AuthEvent, "auth events")
    assert (report.verified, report.broken) == (2 * APPENDS, None)
