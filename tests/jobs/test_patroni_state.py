"""Patroni's REST /cluster document read as `patronictl list` rows (the shape live state is recorded from)."""
from tasks.operations.patroni import leader, parse_cluster

# as Patroni 3.0.2 answers GET /cluster for a leader and two replicas, one lagging 3 MiB and waiting for a restart,
# one not yet streaming
BODY = {
    "scope": "pg-test",
    "members": [
        {"name": "pg-test-1", "role": "leader", "state": "running", "api_url": "http://198.18.0.11:8008/patroni",
         "host": "198.18.0.11", "port": 5432, "timeline": 3},
        {"name": "pg-test-2", "role": "replica", "state": "running", "host": "198.18.0.12", "port": 5432,
         "timeline": 3, "lag": 3 * 1048576, "pending_restart": True},
        {"name": "pg-test-3", "role": "sync_standby", "state": "starting", "host": "198.18.0.13", "port": 5432,
         "lag": "unknown"},
    ],
}


def test_rows_have_the_patronictl_names_and_units():
    rows = {r["Member"]: r for r in parse_cluster(BODY)}
    assert rows["pg-test-1"] == {"Cluster": "pg-test", "Member": "pg-test-1", "Host": "198.18.0.11",
                                 "Role": "Leader", "State": "running", "TL": 3, "Lag in MB": "",
                                 "Pending restart": ""}
    assert rows["pg-test-2"]["Pending restart"] == "*"
    assert (rows["pg-test-2"]["Role"], rows["pg-test-2"]["Lag in MB"], rows["pg-test-2"]["TL"]) == ("Replica", 3, 3)
    assert (rows["pg-test-3"]["Role"], rows["pg-test-3"]["State"]) == ("Sync Standby", "starting")
    assert rows["pg-test-3"]["Lag in MB"] == "unknown" and rows["pg-test-3"]["TL"] is None


def test_leader_is_found_and_an_empty_document_has_no_members():
    assert leader(parse_cluster(BODY))["Member"] == "pg-test-1"
    assert parse_cluster({}) == [] and leader([]) is None
