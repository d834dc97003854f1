"""Export writes each value at the level it belongs to: a modeled value equal to what the level inherits (from
all.vars, the group vars or Pigsty's default) is not repeated; overrides are."""
import pytest
import yaml

from clusters.inventory import dump_inventory, export_inventory, import_inventory

from .canonical import canonical
from .conftest import PIGSTY_CONF

pytestmark = pytest.mark.django_db

LEVELS = """
all:
  children:
    pg-a:
      hosts:
        10.0.0.1: { pg_seq: 1, pg_role: primary, pg_version: 16 }
        10.0.0.2: { pg_seq: 2, pg_offline_query: false }
      vars: { pg_cluster: pg-a, pg_offline_query: true, pg_rpo: 0, pg_version: 17 }
    pg-b:
      hosts: { 10.0.0.3: { pg_seq: 1, pg_role: primary } }
      vars: { pg_cluster: pg-b, pg_rto: 30, pg_users: [] }
    pg-c:
      hosts: { 10.0.0.4: { pg_seq: 1, pg_role: primary } }
      vars: { pg_cluster: pg-c, pg_rto: fast, pg_users: [ { name: u1, password: Pass.Word.1 } ] }
  vars:
    pg_rto: fast
    pg_users: [ { name: u1, password: Pass.Word.1 } ]
    node_firewall_intranet: [ 10.0.0.0/8 ]
"""


def test_inherited_values_are_not_repeated():
    result = import_inventory(LEVELS, "prod")
    children = export_inventory(result.deployment)["all"]["children"]
    a, b, c = (children[name] for name in ("pg-a", "pg-b", "pg-c"))
    assert {k: a["vars"][k] for k in ("pg_version", "pg_rpo", "pg_offline_query")} == {
        "pg_version": 17, "pg_rpo": 0, "pg_offline_query": True}
    assert "pg_rto" not in a["vars"] and "pg_users" not in a["vars"]
    assert a["hosts"]["10.0.0.1"] == {"pg_seq": 1, "pg_role": "primary", "pg_version": 16}
    assert a["hosts"]["10.0.0.2"] == {"pg_seq": 2, "pg_role": "replica", "pg_offline_query": False}
    assert b["vars"] == {"pg_cluster": "pg-b", "pg_rto": "norm", "pg_users": []}
    assert c["vars"] == {"pg_cluster": "pg-c"}
    assert "pg-b: pg_rto: 30 seconds is the legacy spelling; imported as the `norm` plan" in result.warnings
    assert result.deployment.intra_cidrs == ["10.0.0.0/8"]
    assert canonical(import_inventory(export_inventory(result.deployment), "again").deployment) == canonical(
        result.deployment)


def test_global_defaults_stay_global():
    exported = yaml.safe_load(dump_inventory(import_inventory((PIGSTY_CONF / "meta.yml").read_text(),
                                                              "prod").deployment))
    pg_vars = exported["all"]["children"]["pg-meta"]["vars"]
    assert not {"pg_version", "pg_conf", "pg_rto", "pg_rpo", "node_firewall_intranet"} & set(pg_vars)
    assert (exported["all"]["vars"]["pg_version"], exported["all"]["vars"]["pg_conf"]) == (18, "oltp.yml")
    assert "node_firewall_intranet" not in exported["all"]["vars"]
    assert list(exported) == ["all"] and list(exported["all"]) == ["children", "vars"]
