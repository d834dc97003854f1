"""Service control and "check node" on real sandbox nodes."""
import pytest

from clusters.models import Node
from tasks import services, ssh
from tasks.node_check import check_node

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


def test_service_started_through_the_interface_outlives_the_ssh_session(sandbox_nodes):
    node = sandbox_nodes[0]
    svc = services.for_node(node)
    assert svc.kind == "supervisord"
    spec = services.ServiceSpec("rds-test-sleeper", ["/bin/sleep", "31337"], environment={"GREETING": "a b"})
    try:
        assert svc.install(spec) == "changed"
        assert svc.install(spec) == "unchanged"
        svc.start("rds-test-sleeper")
        svc.start("rds-test-sleeper")  # idempotent
        ssh.POOL.close_all()
        assert svc.is_running("rds-test-sleeper")
        pid = ssh.run(node, ssh.build("pgrep", "-f", "^/bin/sleep 31337$")).stdout.split()[0]
        environ = ssh.run(node, ssh.build("cat", f"/proc/{pid}/environ")).stdout.split("\0")
        assert "GREETING=a b" in environ
        svc.restart("rds-test-sleeper")
        assert ssh.run(node, ssh.build("pgrep", "-f", "^/bin/sleep 31337$")).stdout.split()[0] != pid
        svc.stop("rds-test-sleeper")
        svc.stop("rds-test-sleeper")  # idempotent
        assert svc.status("rds-test-sleeper") == services.STOPPED
    finally:
        svc.remove("rds-test-sleeper")
    assert svc.status("rds-test-sleeper") == services.UNKNOWN
    assert ssh.run(node, ssh.build("pgrep", "-f", "^/bin/sleep 31337$"), check=False).exit_code == 1


def test_a_program_file_supervisord_has_not_loaded_is_applied_by_install(sandbox_nodes):
    """What a worker killed between writing the file and `supervisorctl update` leaves behind."""
    node = sandbox_nodes[1]
    svc = services.for_node(node)
    spec = services.ServiceSpec("rds-test-halfway", ["/bin/sleep", "31338"])
    try:
        ssh.upload(node, svc.path(spec.name), services.render(spec, "supervisor/program.conf.j2",
                                                               env_in_command=True))
        assert svc.status("rds-test-halfway") == services.UNKNOWN
        assert svc.install(spec) == "changed"
        svc.start("rds-test-halfway")
        assert svc.is_running("rds-test-halfway")
    finally:
        svc.remove("rds-test-halfway")


def test_check_node_records_facts(sandbox_nodes):
    node = sandbox_nodes[0]
    facts = check_node(node)
    node = Node.objects.get(pk=node.pk)
    assert node.status == "reachable" and node.checked_at is not None and node.facts == facts
    assert facts["ssh_reachable"] and facts["sudo"] and facts["user"] == "root"
    assert facts["hostname"] == node.hostname and facts["os_id"] == "debian" and facts["kernel"]
    assert facts["cpus"] >= 1 and facts["memory_bytes"] > 0 and facts["disk_total_bytes"] > facts["disk_free_bytes"] > 0
    for binary in ["postgres", "pg_ctl", "patroni", "etcd", "etcdctl", "pgbackrest", "haproxy", "pgbouncer",
                   "node_exporter", "pg_exporter", "supervisord"]:
        assert binary in facts["binaries"], binary
    assert facts["init"] != "systemd"


def test_check_node_marks_an_unreachable_node(sandbox_nodes, monkeypatch):
    monkeypatch.setattr("tasks.ssh.connection.CONNECT_DEADLINE", 1.0)
    monkeypatch.setattr("tasks.ssh.connection.CONNECT_TIMEOUT", 0.5)
    node = Node.objects.create(deployment=sandbox_nodes[0].deployment, ip="198.18.0.251",
                               credential=sandbox_nodes[0].credential)
    facts = check_node(node)
    node.refresh_from_db()
    assert node.status == "unreachable" and facts["ssh_reachable"] is False and "198.18.0.251" in facts["error"]


def test_check_node_through_the_api(sandbox_nodes, api):
    node = sandbox_nodes[1]
    response = api.post(f"/api/v1/nodes/{node.pk}/check/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "reachable" and body["facts"]["hostname"] == node.hostname
    assert Node.objects.get(pk=node.pk).checked_at is not None
