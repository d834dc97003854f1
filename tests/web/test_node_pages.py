"""The nodes page: facts and reachability, adding a node (errors next to the fields, nothing saved), checking one
(a node nobody can reach is recorded as unreachable with the reason, not a 500)."""
import pytest

from clusters.models import Node
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_list_shows_facts_and_what_runs_on_each_node(web):
    cluster = factories.pg_cluster()
    node = cluster.instances.get().node
    Node.objects.filter(pk=node.pk).update(status="reachable", facts={"os": "Debian 12", "cpus": 2,
                                                                       "memory_bytes": 4 * 2**30})
    free = factories.node(cluster.deployment)
    page = web.get("/nodes/").content.decode()
    assert "Debian 12" in page and "4.0\xa0GB" in page and f"{cluster.name}-1" in page
    assert free.ip in page and "free" in page


def test_adding_a_node_shows_the_rule_next_to_the_field(web):
    deployment = factories.deployment()
    bad = web.post("/nodes/", {"deployment": deployment.pk, "ip": "not-an-ip", "ssh_port": 22, "ssh_user": "root"})
    assert bad.status_code == 400 and "Enter a valid IPv4 or IPv6 address" in bad.content.decode()
    assert not Node.objects.exists()
    good = web.post("/nodes/", {"deployment": deployment.pk, "ip": "10.1.2.3", "ssh_port": 22, "ssh_user": "root"})
    assert good.status_code == 302 and Node.objects.filter(ip="10.1.2.3").exists()
    twice = web.post("/nodes/", {"deployment": deployment.pk, "ip": "10.1.2.3", "ssh_port": 22, "ssh_user": "root"})
    assert twice.status_code == 400 and Node.objects.filter(ip="10.1.2.3").count() == 1


def test_checking_a_node_nobody_reaches_records_why(web):
    node = factories.node()
    assert web.post(f"/nodes/{node.pk}/check/").status_code == 302
    node.refresh_from_db()
    assert node.status == "unreachable" and "tests connect only to loopback" in node.facts["error"]
    assert "unreachable" in web.get("/nodes/").content.decode()
