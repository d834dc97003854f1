"""Verifying the audit chains: walk each table in id order, recompute every entry's hash and check that it chains
onto the entry before it, then that the table ends where its chain head says. Streamed (one query per table,
whatever its size), stopping at the first break of each chain."""
from dataclasses import dataclass

from django.apps import apps

# every chained table, in the order reports list them, with what its entries are called
CHAINS = (("clusters.ObjectChange", "change-log entries"), ("tasks.JobEvent", "job-history entries"),
          ("clusters.AuthEvent", "auth events"))
CHUNK = 2000


@dataclass(frozen=True)
class Break:
    entry_id: int
    time: str
    problem: str


@dataclass(frozen=True)
class ChainReport:
    table: str
    title: str
    verified: int
    broken: Break | None = None


def _break(entry, problem: str) -> Break:
    return Break(entry.pk, entry.time.isoformat() if entry.time else "", problem)


def verify_chain(model, title: str) -> ChainReport:
    from clusters.models import ChainHead

    table = model._meta.db_table
    prev_hash, prev_id, verified = "", None, 0
    for entry in model.objects.order_by("pk").iterator(chunk_size=CHUNK):
        if entry.hash != entry.compute_hash():
            return ChainReport(table, title, verified, _break(
                entry, "content hash mismatch: the entry was changed after it was written"))
        if entry.prev_hash != prev_hash:
            before = f"entry #{prev_id}" if prev_id is not None else "none: it should open the chain"
            return ChainReport(table, title, verified, _break(
                entry, f"prev_hash does not match the previous entry ({before}): an entry before it was deleted, "
                       "or entries were reordered or rewritten"))
        prev_hash, prev_id, verified = entry.hash, entry.pk, verified + 1
    head = ChainHead.objects.filter(chain=model._meta.label_lower).first()
    head_id, head_hash = (head.last_id, head.last_hash) if head else (None, "")
    if (head_id, head_hash) != (prev_id, prev_hash):
        ends = f"entry #{prev_id}" if prev_id is not None else "no entry"
        recorded = f"entry #{head_id}" if head_id is not None else "no entry"
        named = head_id if head_id is not None and head_id != prev_id else prev_id
        return ChainReport(table, title, verified, Break(named, "", (
            f"the table ends at {ends} but its chain head records {recorded} as the last: entries at the end "
            "were deleted, the last entry was rewritten, or the chain head was changed")))
    return ChainReport(table, title, verified)


def verify_all() -> list[ChainReport]:
    return [verify_chain(apps.get_model(label), title) for label, title in CHAINS]
