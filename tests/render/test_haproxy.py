"""haproxy.cfg: accepted by `haproxy -c`, with the RTO plan's check timings and Pigsty's service routing."""
import re

import pytest

from clusters import models
from tasks.render import render_haproxy
from tasks.render.routing import SelectorError

from . import checks

pytestmark = pytest.mark.django_db


def sections(text: str) -> dict[str, list[str]]:
    """`listen NAME` → the stripped lines of that section."""
    result, current = {}, None
    for line in text.splitlines():
        if line.startswith("listen "):
            current = result.setdefault(line.split()[1], [])
        elif line.startswith((" ", "\t")) and current is not None and line.strip():
            current.append(line.strip())
        elif line and not line.startswith("#"):
            current = None
    return result


def servers(lines: list[str]) -> dict[str, str]:
    """server name → the rest of its line."""
    return {line.split()[1]: " ".join(line.split()[2:]) for line in lines if line.startswith("server ")}


def test_haproxy_accepts_the_config(instances, tmp_path):
    path = checks.write(tmp_path, "haproxy.cfg", render_haproxy(instances[1]))
    assert checks.haproxy(path) == ""


def test_haproxy_check_bites(instances, tmp_path):
    text = render_haproxy(instances[1]).replace("fastinter 500ms", "fastinter 0.5s")
    assert "unexpected character '.'" in checks.haproxy(checks.write(tmp_path, "haproxy.cfg", text))


def test_default_and_custom_services(instances):
    listen = sections(render_haproxy(instances[1]))
    assert set(listen) == {"admin", "pg-test-primary", "pg-test-replica", "pg-test-default", "pg-test-offline",
                           "pg-test-standby"}
    binds = {name: lines[0] for name, lines in listen.items()}
    assert binds["pg-test-primary"] == "bind *:5433" and binds["pg-test-replica"] == "bind *:5434"
    assert binds["pg-test-default"] == "bind *:5436" and binds["pg-test-offline"] == "bind *:5438"
    assert binds["pg-test-standby"] == "bind *:5435"


def test_health_checks_and_fast_timings(instances):
    listen = sections(render_haproxy(instances[1]))
    expected_paths = {"pg-test-primary": "/primary", "pg-test-replica": "/read-only", "pg-test-default": "/primary",
                      "pg-test-offline": "/replica", "pg-test-standby": "/sync"}
    for name, path in expected_paths.items():
        lines = listen[name]
        assert "option httpchk" in lines and "http-check expect status 200" in lines
        assert f"http-check send meth OPTIONS uri {path}" in lines
        default_server = next(line for line in lines if line.startswith("default-server"))
        assert "inter 1s fastinter 500ms downinter 1s rise 3 fall 3" in default_server
        assert "on-marked-down shutdown-sessions slowstart 30s" in default_server
        assert all(line.endswith(("check port 8008", "check port 8008 backup"))
                   for line in lines if line.startswith("server "))


@pytest.mark.parametrize("mode,timings", [
    ("norm", "inter 2s fastinter 1s downinter 2s"), ("safe", "inter 3s fastinter 1500ms downinter 3s"),
    ("wide", "inter 4s fastinter 2s downinter 4s")])
def test_rto_modes(cluster, instances, mode, timings):
    cluster.pg_rto = mode
    cluster.save()
    assert f"default-server {timings} rise 3 fall 3" in render_haproxy(instances[1])


def test_custom_rto_plan_sets_check_timings(cluster, instances, tmp_path):
    cluster.pg_rto_plan = {"fast": {"ttl": 20, "loop_wait": 5, "retry_timeout": 5, "inter": "0.8s",
                                    "fastinter": "250ms", "rise": 2}}
    cluster.save()
    text = render_haproxy(instances[1])
    assert "default-server inter 800ms fastinter 250ms downinter 1s rise 2 fall 3" in text
    assert checks.haproxy(checks.write(tmp_path, "haproxy.cfg", text)) == ""


def test_all_member_services_list_every_member(instances):
    listen = sections(render_haproxy(instances[1]))
    for name in ("pg-test-primary", "pg-test-replica", "pg-test-default", "pg-test-standby"):
        assert set(servers(listen[name])) == {"pg-test-1", "pg-test-2", "pg-test-3"}, name


def test_destinations(instances):
    listen = sections(render_haproxy(instances[1]))
    assert servers(listen["pg-test-primary"])["pg-test-1"].startswith("10.10.10.11:6432 ")
    assert servers(listen["pg-test-default"])["pg-test-1"].startswith("10.10.10.11:5432 ")
    assert servers(listen["pg-test-standby"])["pg-test-2"].startswith("10.10.10.12:6432 ")


def test_replica_service_falls_back_to_primary(instances):
    replica = servers(sections(render_haproxy(instances[1]))["pg-test-replica"])
    assert replica["pg-test-1"].endswith(" backup")
    assert not replica["pg-test-2"].endswith(" backup") and not replica["pg-test-3"].endswith(" backup")


def test_offline_service_picks_offline_query_member_with_replicas_as_backup(instances):
    offline = servers(sections(render_haproxy(instances[1]))["pg-test-offline"])
    assert offline == {"pg-test-3": "10.10.10.13:5432 check port 8008",
                       "pg-test-2": "10.10.10.12:5432 check port 8008 backup"}


def test_offline_role_member_is_picked(instances):
    third = instances[3]
    third.pg_role, third.pg_offline_query = "offline", False
    third.save()
    offline = servers(sections(render_haproxy(instances[1]))["pg-test-offline"])
    assert not offline["pg-test-3"].endswith("backup") and offline["pg-test-2"].endswith("backup")


def test_admin_page_password_quoted(cluster, instances):
    text = render_haproxy(instances[1])
    assert "bind *:9101" in text
    assert 'stats auth "admin:adm\\"in\\$pw\\\\#1"' in text


def test_custom_service_options_and_port_dest(cluster, instances, tmp_path):
    models.PGService.objects.create(cluster=cluster, name="direct", port=5439, dest="5432", check_path="/replica",
                                    selector="[? pg_role == `replica` && !pg_offline_query]", balance="leastconn",
                                    maxconn=100, options=["timeout server 1h"])
    text = render_haproxy(instances[1])
    lines = sections(text)["pg-test-direct"]
    assert "balance leastconn" in lines and "maxconn 100" in lines and "timeout server 1h" in lines
    assert servers(lines) == {"pg-test-2": "10.10.10.12:5432 check port 8008"}
    assert checks.haproxy(checks.write(tmp_path, "haproxy.cfg", text)) == ""


def test_unknown_selector_refused(cluster, instances):
    models.PGService.objects.create(cluster=cluster, name="weird", port=5440, selector="[? pg_weight > `50`]")
    with pytest.raises(SelectorError, match="unsupported term"):
        render_haproxy(instances[1])


def test_option_with_newline_refused(cluster, instances):
    models.PGService.objects.create(cluster=cluster, name="inject", port=5441, options=["x\nlisten evil"])
    with pytest.raises(ValueError, match="line break"):
        render_haproxy(instances[1])


def test_same_config_on_every_member(instances):
    first, second = (re.sub(r"^# HAProxy on .*\n", "", render_haproxy(instances[seq])) for seq in (1, 2))
    assert first == second
