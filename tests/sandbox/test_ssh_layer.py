"""The SSH execution layer against real sandbox nodes, with the credentials stored in the database."""
import time

import pytest
from django.core.management import call_command

from clusters.models import Node
from tasks import ssh
from tasks.sandbox.keys import generate_ed25519
from tasks.node_check import BINARIES, probe_script
from tasks.ssh.connection import Connection

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]

NASTY = ["semi;colon", "$(touch /tmp/pwned)", "`touch /tmp/pwned`", "it's", 'a "quoted" word', "two  spaces",
         "x && touch /tmp/pwned", "*", "-n"]


def test_stored_credential_logs_in_on_every_node(sandbox_nodes):
    for node in sandbox_nodes:
        node = Node.objects.get(pk=node.pk)  # credential decrypted from the database
        result = ssh.run(node, "hostname; hostname -I; id -un")
        assert result.stdout.split() == [node.hostname, node.ip, "root"]


def test_nodes_have_their_own_files_processes_and_shared_dir(sandbox_nodes):
    n1, n2 = sandbox_nodes[:2]
    assert ssh.upload(n1, "/etc/patroni/isolation.yml", "node: 1\n") == "changed"
    try:
        assert ssh.run(n2, ssh.build("test", "-e", "/etc/patroni/isolation.yml"), check=False).exit_code == 1
        assert ssh.run(n1, ssh.build("cat", "/etc/patroni/isolation.yml")).stdout == "node: 1\n"
        ssh.upload(n1, "/pg/shared/from-node1", "shared\n")
        assert ssh.run(n2, ssh.build("cat", "/pg/shared/from-node1")).stdout == "shared\n"
        assert ssh.run(n1, "ps -o pid= -p 1; cat /proc/1/cmdline").stdout.split()[0] == "1"
    finally:
        ssh.run(n1, ssh.build("rm", "-f", "/etc/patroni/isolation.yml", "/pg/shared/from-node1"))


def test_hostile_strings_arrive_literally(sandbox_nodes):
    node = sandbox_nodes[0]
    for text in NASTY:
        assert ssh.run(node, ssh.build("printf", "%s", text)).stdout == text
    assert ssh.run(node, ["printf", "%s|", *NASTY]).stdout == "|".join(NASTY) + "|"
    directory = "/etc/pgbouncer/dir with 'quotes' and $(x)"
    path = f"{directory}/file;name `x`"
    assert ssh.upload(node, path, "content\n") == "changed"
    try:
        assert ssh.run(node, ssh.build("ls", directory)).stdout == "file;name `x`\n"
        assert ssh.run(node, ssh.build("test", "-e", "/tmp/pwned"), check=False).exit_code == 1
    finally:
        ssh.run(node, ssh.build("rm", "-rf", directory))


def test_output_is_streamed_line_by_line(sandbox_nodes):
    started, seen = time.monotonic(), []
    result = ssh.run(sandbox_nodes[0], "for i in 1 2 3; do echo out$i; echo err$i >&2; sleep 0.3; done",
                     on_line=lambda stream, line: seen.append((time.monotonic() - started, stream, line)))
    assert [(s, line) for _, s, line in seen if s == "stdout"] == [("stdout", "out1"), ("stdout", "out2"),
                                                                    ("stdout", "out3")]
    assert [line for _, s, line in seen if s == "stderr"] == ["err1", "err2", "err3"]
    first, last = seen[0][0], seen[-1][0]
    assert last - first > 0.5, "lines arrived together at the end, not as they were printed"
    assert result.stdout == "out1\nout2\nout3\n"


def test_the_whole_output_is_read_though_the_exit_status_may_come_first(sandbox_nodes):
    """sshd can send the exit status before the last lines a command printed (seen as `check node` facts cut
    short on a busy machine, a few runs in a hundred): output is read until the server's EOF."""
    script = probe_script()  # many short commands, each printing one line
    expected = {node.ip: ssh.run(node, script, timeout=20).stdout for node in sandbox_nodes}
    assert all(text.count("\n") == len(BINARIES) + 11 for text in expected.values()), expected
    short = [(node.ip, run) for run in range(60) for node in sandbox_nodes
             if ssh.run(node, script, timeout=20).stdout != expected[node.ip]]
    assert short == []


def test_a_background_process_keeping_stdout_open_does_not_hold_the_command(sandbox_nodes):
    started = time.monotonic()
    result = ssh.run(sandbox_nodes[0], "sleep 30 & echo $!", timeout=20)
    try:
        assert result.exit_code == 0 and result.stdout.strip().isdigit()
        assert time.monotonic() - started < 10
    finally:
        ssh.run(sandbox_nodes[0], ssh.build("kill", result.stdout.strip()), check=False)


def test_timeout_raises_and_kills_the_remote_command(sandbox_nodes):
    node = sandbox_nodes[0]
    started = time.monotonic()
    with pytest.raises(ssh.CommandTimeoutError) as caught:
        ssh.run(node, "echo begun; sleep 4242", timeout=0.5)
    assert time.monotonic() - started < 3
    assert caught.value.timeout == 0.5 and "sleep 4242" in str(caught.value)
    assert ssh.run(node, ssh.build("pgrep", "-f", "^sleep 4242$"), check=False).exit_code == 1


def test_failure_carries_exit_code_stderr_tail_and_masks_secrets(sandbox_nodes):
    node, secret, lines = sandbox_nodes[0], "Hunter2-secret", []
    with pytest.raises(ssh.RemoteCommandError) as caught:
        ssh.run(node, ssh.build("sh", "-c", f"echo using {secret}; echo bad {secret} >&2; exit 7"),
                secrets=[secret], on_line=lambda stream, line: lines.append(line))
    err = caught.value
    assert err.exit_code == 7 and err.node == f"{node.hostname} ({node.ip})"
    assert "bad ******" in err.stderr_tail and secret not in str(err) and secret not in err.command
    assert lines == ["using ******", "bad ******"]
    assert ssh.run(node, "exit 3", check=False).exit_code == 3


def test_upload_is_atomic_idempotent_and_sets_owner_and_mode(sandbox_nodes):
    node, path = sandbox_nodes[0], "/etc/pgbackrest/pgbackrest.conf"
    try:
        assert ssh.upload(node, path, "[global]\n", owner="postgres", mode=0o640) == "changed"
        assert ssh.upload(node, path, "[global]\n", owner="postgres", mode=0o640) == "unchanged"
        assert ssh.run(node, ssh.build("stat", "-c", "%U:%G:%a", path)).stdout.strip() == "postgres:postgres:640"
        assert ssh.upload(node, path, "[global]\n", owner="postgres", mode=0o600) == "changed"
        assert ssh.upload(node, path, b"[global]\nrepo1-path=/pg/backup\n", owner="postgres", mode=0o600) == "changed"
        assert ssh.run(node, ssh.build("cat", path)).stdout == "[global]\nrepo1-path=/pg/backup\n"
        assert ssh.run(node, ssh.build("ls", "-A", "/etc/pgbackrest")).stdout == "pgbackrest.conf\n"
    finally:
        ssh.run(node, ssh.build("rm", "-f", path))


def test_pool_reuses_one_connection_per_node(sandbox_nodes):
    node = sandbox_nodes[0]
    first = ssh.POOL.get(node)
    ssh.run(node, "true")
    assert ssh.POOL.get(node) is first
    first.close()
    ssh.run(node, "true")
    assert ssh.POOL.get(node) is not first, "a dead connection is replaced"


def test_first_connection_pins_the_host_key(sandbox, sandbox_nodes):
    node = sandbox_nodes[1]
    Node.objects.filter(pk=node.pk).update(host_key="")
    node.refresh_from_db()
    with ssh.connect(node) as conn:
        conn.run("true")
    node.refresh_from_db()
    assert node.host_key.split() == sandbox.nodes[1].host_key.split()[:2]


def test_changed_host_key_is_refused_until_accepted(sandbox, sandbox_nodes):
    node = sandbox_nodes[2]
    _, impostor = generate_ed25519("impostor")
    node.host_key = " ".join(impostor.split()[:2])
    node.save()
    with pytest.raises(ssh.HostKeyChangedError) as caught:
        ssh.run(node, "true")
    assert f"manage.py node_accept_hostkey {node.ip}" in str(caught.value)
    call_command("node_accept_hostkey", node.ip, deployment="sandbox")
    node.refresh_from_db()
    assert node.host_key.split() == sandbox.nodes[2].host_key.split()[:2]
    assert ssh.run(node, "echo ok").stdout == "ok\n"


def test_unreachable_node_fails_within_the_deadline(sandbox_nodes):
    silent = Node(deployment=sandbox_nodes[0].deployment, ip="198.18.0.250", ssh_user="root",
                  credential=sandbox_nodes[0].credential)
    started = time.monotonic()
    with pytest.raises(ssh.NodeUnreachableError):
        Connection.open(silent, connect_timeout=0.5, deadline=1.5)
    assert time.monotonic() - started < 2.5
    refused = Node(deployment=sandbox_nodes[0].deployment, ip=sandbox_nodes[0].ip, ssh_port=2222,
                   credential=sandbox_nodes[0].credential)
    with pytest.raises(ssh.NodeUnreachableError) as caught:
        Connection.open(refused, deadline=1.5)
    assert "attempts" in str(caught.value) and "1 attempts" not in str(caught.value), "refusals are retried"


def test_wrong_credential_is_an_authentication_error(sandbox_nodes):
    node = sandbox_nodes[0]
    node.credential.secret, _ = generate_ed25519("stranger")
    with pytest.raises(ssh.AuthenticationError):
        Connection.open(node)


def test_a_broken_pooled_connection_is_replaced(sandbox_nodes):
    node = sandbox_nodes[0]
    ssh.POOL.get(node).client.get_transport().sock.close()
    assert ssh.run(node, "echo again").stdout == "again\n"
    with pytest.raises(ssh.RemoteCommandError) as caught:
        ssh.run(node, "kill -KILL $$")
    assert caught.value.exit_code == -1 and not isinstance(caught.value, ssh.ConnectionLostError)
