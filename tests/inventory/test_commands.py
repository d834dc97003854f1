"""`manage.py import_inventory` / `export_inventory`: one line per problem and a non-zero exit on a bad
inventory, warnings printed, and the export is the deployment's inventory."""
import io
import stat

import pytest
import yaml
from django.core.management import CommandError, call_command

from clusters.inventory import export_inventory
from clusters.models import Deployment

from .conftest import PIGSTY_CONF

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_a_summary_and_the_warnings():
    out, err = run("import_inventory", str(PIGSTY_CONF / "ha" / "trio.yml"), "--deployment", "prod")
    assert "into deployment prod: 3 nodes, 1 PGSQL, 1 ETCD, 1 MINIO, 0 REDIS clusters, 3 INFRA nodes" in out
    assert "warning: all.vars.pg_admin_password: Pigsty's well-known default password was replaced" in err
    assert Deployment.objects.filter(name="prod").exists()


def test_import_of_a_bad_inventory_lists_each_problem_and_fails(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("all:\n  children:\n    etcd:\n      hosts: { 10.0.0.1: { etcd_seq: 1 }, 10.0.0.2: { etcd_seq: 2 } }\n"
                   "    pg-x:\n      hosts: { 10.0.0.3: { pg_seq: 1, pg_role: replica } }\n"
                   "      vars: { pg_cluster: pg-x }\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"bad.yml: 2 problem\(s\); nothing was imported"):
        call_command("import_inventory", str(bad), "--deployment", "prod", stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert any(line.startswith(f"{bad}: cluster etcd, field members: an ETCD cluster needs an odd number of members")
               for line in lines)
    assert any(line.startswith(f"{bad}: cluster pg-x, field pg_role: a cluster needs exactly one primary")
               for line in lines)
    assert not Deployment.objects.exists()


def test_import_of_a_missing_file_is_a_one_line_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read .*missing.yml: No such file"):
        run("import_inventory", str(tmp_path / "missing.yml"), "--deployment", "prod")


def test_export_to_stdout_and_to_a_private_file(tmp_path):
    run("import_inventory", str(PIGSTY_CONF / "slim.yml"), "--deployment", "prod")
    expected = export_inventory(Deployment.objects.get(name="prod"))
    out, _ = run("export_inventory", "--deployment", "prod")
    assert out.startswith("all:") and yaml.safe_load(out) == expected
    target = tmp_path / "pigsty.yml"
    run("export_inventory", "--deployment", "prod", "-o", str(target))
    assert yaml.safe_load(target.read_text()) == expected
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_export_of_an_unknown_deployment_fails():
    with pytest.raises(CommandError, match="no deployment named 'nope'"):
        run("export_inventory", "--deployment", "nope")
