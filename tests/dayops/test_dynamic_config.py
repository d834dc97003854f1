"""Patroni's dynamic configuration: the PATCH that converges what the DCS holds to the spec, and its description."""
from tasks.operations.dynamic_config import describe, patch_for

WANTED = {"ttl": 20, "loop_wait": 5, "retry_timeout": 5, "maximum_lag_on_failover": 1048576,
          "synchronous_mode": False,
          "postgresql": {"use_pg_rewind": True, "use_slots": True,
                         "parameters": {"max_connections": 100, "max_wal_senders": 16}}}


def current(**changes):
    base = {"ttl": 20, "loop_wait": 5, "retry_timeout": 5, "maximum_lag_on_failover": 1048576,
            "synchronous_mode": False, "check_timeline": False,
            "postgresql": {"use_pg_rewind": True, "use_slots": True,
                           "parameters": {"max_connections": "100", "max_wal_senders": 16, "max_locks": 64}}}
    base.update(changes)
    return base


def test_nothing_differs_is_an_empty_patch_whatever_the_value_types_or_unmanaged_keys():
    assert patch_for(current(), WANTED) == {}


def test_only_what_differs_is_sent_and_described():
    now = current(ttl=30, loop_wait=10)
    now["postgresql"]["parameters"]["max_connections"] = 200
    body = patch_for(now, WANTED)
    assert body == {"ttl": 20, "loop_wait": 5, "postgresql": {"parameters": {"max_connections": 100}}}
    assert describe(now, body) == ["ttl: 30 → 20", "loop_wait: 10 → 5", "max_connections: 200 → 100"]


def test_a_missing_parameter_or_postgresql_section_is_added():
    body = patch_for({"ttl": 20, "loop_wait": 5, "retry_timeout": 5, "maximum_lag_on_failover": 1048576,
                      "synchronous_mode": False}, WANTED)
    assert body == {"postgresql": WANTED["postgresql"]}
    assert "postgresql.use_slots: None → True" in describe({}, body)
