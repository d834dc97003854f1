"""Pigsty's instance selectors, the subset HAProxy services use."""
from types import SimpleNamespace

import pytest

from tasks.render.routing import SelectorError, select, servers

MEMBERS = [SimpleNamespace(pg_seq=1, pg_role="primary", pg_offline_query=False),
           SimpleNamespace(pg_seq=2, pg_role="replica", pg_offline_query=False),
           SimpleNamespace(pg_seq=3, pg_role="replica", pg_offline_query=True),
           SimpleNamespace(pg_seq=4, pg_role="offline", pg_offline_query=False)]


@pytest.mark.parametrize("selector,seqs", [
    ("[]", [1, 2, 3, 4]),
    ("[ ]", [1, 2, 3, 4]),
    ("[? pg_role == `offline` || pg_offline_query ]", [3, 4]),
    ("[? pg_role == `primary` || pg_role == `offline` ]", [1, 4]),
    ("[? pg_role == `replica` && !pg_offline_query]", [2]),
    ("[? pg_role == `primary`]", [1]),
    ("[?pg_role==`replica`]", [2, 3]),
    ("[? pg_role != `primary` && pg_seq != `4` ]", [2, 3]),
    ("[? pg_seq == `2` ]", [2]),
])
def test_selectors(selector, seqs):
    assert [m.pg_seq for m in select(selector, MEMBERS)] == seqs


@pytest.mark.parametrize("selector", ["", "all", "[? pg_weight > `1` ]", "[? pg_role == `leader` ]",
                                      "[? (pg_role == `primary`) ]", "[? pg_seq == `x` ]", "[?]"])
def test_unknown_selectors_refused(selector):
    with pytest.raises(SelectorError):
        select(selector, MEMBERS)


def test_backup_only_members_follow_selected_ones():
    service = {"selector": "[? pg_role == `offline` || pg_offline_query ]",
               "backup": "[? pg_role == `replica` && !pg_offline_query]"}
    assert [(s.instance.pg_seq, s.backup) for s in servers(service, MEMBERS)] == [(3, False), (4, False), (2, True)]
