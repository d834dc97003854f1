"""`manage.py sandbox` against the shared sandbox: `up` is idempotent and registers it in the database."""
from io import StringIO

import pytest
from django.core.management import call_command

from clusters.models import Credential, Deployment
from tasks import ssh

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


def test_up_registers_deployment_nodes_and_credential(sandbox):
    out = StringIO()
    call_command("sandbox", "up", "--nodes", "3", "--no-install", stdout=out)
    call_command("sandbox", "up", "--nodes", "3", "--no-install", stdout=out)
    deployment = Deployment.objects.get(name="sandbox")
    assert deployment.intra_cidrs == ["198.18.0.0/24"]
    nodes = list(deployment.nodes.order_by("ip"))
    assert [n.ip for n in nodes][:3] == ["198.18.0.11", "198.18.0.12", "198.18.0.13"]
    assert Credential.objects.filter(name="sandbox-root").count() == 1
    for node, member in zip(nodes, sandbox.nodes):
        assert node.host_key == " ".join(member.host_key.split()[:2]) and node.credential.kind == "ssh_key"
        assert ssh.run(node, "hostname").stdout == f"{member.name}\n"
    status = StringIO()
    call_command("sandbox", "status", stdout=status)
    assert "rds-node1    198.18.0.11     running  ssh ok" in status.getvalue()
