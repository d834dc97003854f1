"""Pure logic of the SSH layer, services, node check and sandbox config (no nodes needed)."""
import shlex
import subprocess
from types import SimpleNamespace

import pytest

from tasks import services, ssh
from tasks.node_check import parse
from tasks.sandbox import SandboxConfig
from tasks.sandbox.keys import generate_ed25519
from tasks.sandbox.lifecycle import has_privileges
from tasks.ssh import command, hostkeys, transfer
from tasks.ssh.credentials import identity, load_private_key

NASTY = ["a b", "x;rm -rf /", "$(touch /tmp/x)", "`id`", "it's", 'say "hi"', "tab\there", "*", "", "-n", "%s"]


def test_build_quotes_every_argument():
    assert shlex.split(command.build("echo", *NASTY)) == ["echo", *NASTY]


def test_build_rejects_empty_command():
    with pytest.raises(ValueError):
        command.build()


def test_mask_hides_raw_and_quoted_secrets():
    secret = "pa'ss word"
    text = f"psql -c {shlex.quote(secret)} # {secret}"
    masked = command.mask(text, [secret, ""])
    assert "pa" not in masked and masked.count(command.MASK) == 2


def test_wrap_adds_timeout_and_sudo():
    assert shlex.split(command.wrap("echo hi", timeout=2.5)) == ["timeout", "-k", "5", "2.5", "sh", "-c", "echo hi"]
    assert shlex.split(command.wrap("id", timeout=3, sudo=True))[:3] == ["sudo", "-n", "--"]
    with_password = shlex.split(command.wrap("id", timeout=3, sudo=True, sudo_password=True))
    assert with_password[:6] == ["sudo", "-k", "-S", "-p", "", "--"]


def test_host_key_round_trip_and_fingerprint_match_ssh_keygen(tmp_path):
    _, public = generate_ed25519("test")
    key = hostkeys.parse_key(public)
    assert hostkeys.format_key(key) == " ".join(public.split()[:2])
    (tmp_path / "k.pub").write_text(public + "\n")
    keygen = subprocess.run(["ssh-keygen", "-lf", str(tmp_path / "k.pub")], capture_output=True, text=True, check=True)
    assert keygen.stdout.split()[1] == hostkeys.fingerprint(public)
    assert hostkeys.host_id("10.0.0.1", 22) == "10.0.0.1" and hostkeys.host_id("10.0.0.1", 2222) == "[10.0.0.1]:2222"


def test_private_key_loading_and_identity():
    private, _ = generate_ed25519("test")
    assert load_private_key(private).get_name() == "ssh-ed25519"
    with pytest.raises(ValueError):
        load_private_key("not a key")
    a = SimpleNamespace(kind="ssh_key", secret=private)
    b = SimpleNamespace(kind="ssh_key", secret=private + "\n")
    assert identity(a) != identity(b) and private not in identity(a)


def test_upload_finish_command_moves_atomically_and_cleans_up(tmp_path):
    staged, temp, target = tmp_path / "staged", tmp_path / ".t.tmp", tmp_path / "target file"
    staged.write_text("new")
    user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    script = transfer.finish_command(str(staged), str(temp), str(target), user, user, 0o640)
    subprocess.run(["sh", "-c", script], check=True)
    assert target.read_text() == "new" and oct(target.stat().st_mode & 0o7777) == "0o640"
    assert not staged.exists() and not temp.exists()
    staged.write_text("again")
    failing = transfer.finish_command(str(staged), str(temp), str(target), "no-such-user-x", user, 0o640)
    assert subprocess.run(["sh", "-c", failing], capture_output=True).returncode != 0
    assert target.read_text() == "new" and not staged.exists() and not temp.exists()


def test_upload_probe_reports_digest_and_metadata(tmp_path):
    target = tmp_path / "sub dir" / "f"
    out = subprocess.run(["sh", "-c", transfer.probe_command(str(target))], capture_output=True, text=True).stdout
    assert out == "" and target.parent.is_dir()
    target.write_text("x")
    out = subprocess.run(["sh", "-c", transfer.probe_command(str(target))], capture_output=True, text=True).stdout
    assert out.split()[0] == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"


def test_service_spec_rendering_escapes_values():
    spec = services.ServiceSpec("demo", ["/bin/echo", "a b", "50%"], environment={"MSG": 'say "hi" 100%'})
    program = services.render(spec, "supervisor/program.conf.j2", env_in_command=True)
    assert "command=/usr/bin/env 'MSG=say \"hi\" 100%%' /bin/echo 'a b' 50%%\n" in program
    assert "directory=/\n" in program
    unit = services.render(spec, "systemd/program.service.j2")
    assert 'Environment="MSG=say \\"hi\\" 100%%"' in unit and "ExecStart=/bin/echo 'a b' 50%%" in unit


@pytest.mark.parametrize("bad", ["", "../etc", "a b", "x;y", "-opt"])
def test_service_names_are_validated(bad):
    with pytest.raises(ValueError):
        services.ServiceSpec(bad, ["/bin/true"])


def test_node_check_parse():
    facts = parse("user=root\ncpus=2\nmemory_bytes=4096\ndisk=100 40\nos=Debian GNU/Linux 12 (bookworm)\n"
                  "bin.patroni=/usr/bin/patroni\nbin.etcd=\n")
    assert facts["cpus"] == 2 and facts["memory_bytes"] == 4096 and facts["disk_free_bytes"] == 40
    assert facts["binaries"] == {"patroni": "/usr/bin/patroni"} and facts["missing_binaries"] == ["etcd"]
    assert facts["os"] == "Debian GNU/Linux 12 (bookworm)"


def test_privileges_need_root_and_both_capabilities():
    full = "Name:\tx\nCapEff:\t000001ffffffffff\n"
    no_net_admin = "CapEff:\t0000000000200000\n"  # CAP_SYS_ADMIN only
    assert has_privileges(full, euid=0)
    assert not has_privileges(full, euid=1000)
    assert not has_privileges(no_net_admin, euid=0)


def test_sandbox_config_addresses():
    cfg = SandboxConfig(state_dir="/x", prefix="rdt", bridge_cidr="198.18.0.49/28", first_ip="198.18.0.51")
    assert (cfg.node_ip(1), cfg.node_ip(2), cfg.bridge, cfg.node_name(2)) == ("198.18.0.51", "198.18.0.52",
                                                                               "rdtbr0", "rdt-node2")
    with pytest.raises(ValueError):
        cfg.node_ip(20)
    with pytest.raises(ValueError):
        SandboxConfig(state_dir="/x", bridge_cidr="10.0.0.1/24")


def test_errors_carry_context_without_secrets():
    err = ssh.RemoteCommandError("n1 (10.0.0.1)", command.mask("psql -c secret", ["secret"]), 3, "boom")
    assert err.exit_code == 3 and "secret" not in str(err) and "boom" in str(err) and "10.0.0.1" in str(err)
    changed = ssh.HostKeyChangedError("n1", "10.0.0.1", "SHA256:a", "SHA256:b")
    assert "manage.py node_accept_hostkey 10.0.0.1" in str(changed)


@pytest.mark.parametrize("password, sudo_n_exit, asks, probes", [
    ("pw", 1, True, 1),  # sudo wants a password: feed it
    ("pw", 0, False, 1),  # NOPASSWD: never write the password where the command could read it
    ("", 1, False, 0),  # key credential: nothing to feed
])
def test_sudo_password_is_fed_only_when_sudo_asks(password, sudo_n_exit, asks, probes):
    conn = ssh.Connection.__new__(ssh.Connection)
    conn.sudo_password, conn._sudo_asks_password, calls = password, None, []

    def run(command, **options):
        calls.append((command, options["sudo"]))
        return SimpleNamespace(exit_code=sudo_n_exit)

    conn.run = run
    assert conn.sudo_asks_password() is asks and conn.sudo_asks_password() is asks
    assert calls == [("sudo -n true", False)] * probes
