"""Parsing `pgbackrest info --output=json` into the catalogue, and the recovery window rules."""
from datetime import datetime, timedelta, timezone

import pytest

from backups.catalog import CatalogError, parse_info, recovery_window

from .info_sample import FULL_START, FULL_STOP, INCR_STOP, info


def utc(epoch):
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


EARLIEST = utc(FULL_STOP + 1)  # the second after the oldest backup ended: pgBackRest's first usable time target


def test_each_backup_set_is_read_with_its_times_sizes_wal_and_lsn_range():
    catalog = parse_info(info(), "pg-test")
    full, incr = catalog.backups
    assert (full.label, full.type, full.prior) == ("20261125-100000F", "full", "")
    assert (full.started_at, full.stopped_at) == (utc(FULL_START), utc(FULL_STOP))
    assert (full.size, full.delta, full.repo_size, full.repo_delta) == (31534040, 31534040, 4094126, 4094126)
    assert (full.wal_start, full.wal_stop, full.lsn_start, full.lsn_stop) == (
        "000000010000000000000004", "000000010000000000000004", "0/4000028", "0/4000138")
    assert (incr.type, incr.prior, incr.delta) == ("incr", "20261125-100000F", 8192)
    assert (catalog.wal_min, catalog.wal_max, catalog.status) == (
        "000000010000000000000003", "000000010000000000000009", "ok")


def test_the_window_runs_from_the_second_after_the_oldest_backup_end_to_the_last_archived_wal():
    catalog = parse_info(info(), "pg-test")
    archived = utc(INCR_STOP) + timedelta(minutes=20)
    assert recovery_window(catalog, "000000010000000000000009", archived) == (EARLIEST, archived)


def test_without_the_archiver_matching_the_repository_the_window_ends_at_the_newest_backup():
    catalog = parse_info(info(), "pg-test")
    later = utc(INCR_STOP) + timedelta(minutes=20)
    assert recovery_window(catalog, "00000001000000000000000A", later) == (EARLIEST, utc(INCR_STOP))
    assert recovery_window(catalog) == (EARLIEST, utc(INCR_STOP))


def test_a_backup_with_errors_does_not_count_for_the_window():
    catalog = parse_info(info(incr_error=True), "pg-test")
    assert catalog.backups[1].error is True
    assert recovery_window(catalog) == (EARLIEST, EARLIEST), "one backup: the window is its first usable second"


def test_a_stanza_without_backups_has_no_window():
    raw = info(status=(2, "no valid backups"))
    raw[0]["backup"] = []
    catalog = parse_info(raw, "pg-test")
    assert catalog.backups == [] and recovery_window(catalog) == (None, None)


@pytest.mark.parametrize("raw, stanza, text", [
    (info(), "pg-other", "no stanza 'pg-other'"),
    (info(status=(1, "missing stanza path")), "pg-test", "missing stanza path"),
    ({"name": "pg-test"}, "pg-test", "not return a list"),
])
def test_an_unusable_answer_is_an_error_naming_why(raw, stanza, text):
    with pytest.raises(CatalogError, match=text):
        parse_info(raw, stanza)
