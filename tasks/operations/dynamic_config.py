"""Patroni's dynamic configuration: the part of patroni.yml's `bootstrap.dcs` that Patroni reads only when it
bootstraps a cluster and keeps in the DCS afterwards, shared by every member (ttl, loop_wait, retry_timeout,
maximum_lag_on_failover, synchronous mode, cluster-wide PostgreSQL parameters). Changing the RTO plan, pg_rpo or
those parameters on a running cluster means a PATCH of /config; this module says what the spec wants, what
differs, and sends the PATCH."""
import json

from tasks import ssh
from tasks.render.patroni import patroni_config

from . import patroni

MANAGED = ("ttl", "loop_wait", "retry_timeout", "primary_start_timeout", "maximum_lag_on_failover",
           "synchronous_mode", "synchronous_mode_strict", "failsafe_mode")
MANAGED_POSTGRESQL = ("use_pg_rewind", "use_slots")


def desired(instance) -> dict:
    """The dynamic configuration the cluster's spec asks for (as rendered into the instance's patroni.yml)."""
    dcs = patroni_config(instance)["bootstrap"]["dcs"]
    wanted = {key: dcs[key] for key in MANAGED if key in dcs}
    wanted["postgresql"] = {key: dcs["postgresql"][key] for key in MANAGED_POSTGRESQL}
    wanted["postgresql"]["parameters"] = dict(dcs["postgresql"]["parameters"])
    return wanted


def patch_for(current: dict, wanted: dict) -> dict:
    """The smallest PATCH body that turns `current` into `wanted` (parameters compared as text, since Patroni
    keeps what it was given); {} when nothing differs. Settings the spec does not manage are left alone."""
    body = {key: value for key, value in wanted.items() if key != "postgresql" and current.get(key) != value}
    current_pg = current.get("postgresql") or {}
    postgresql = {key: value for key, value in wanted["postgresql"].items()
                  if key != "parameters" and current_pg.get(key) != value}
    current_params = current_pg.get("parameters") or {}
    parameters = {name: value for name, value in wanted["postgresql"]["parameters"].items()
                  if name not in current_params or str(current_params[name]) != str(value)}
    if parameters:
        postgresql["parameters"] = parameters
    if postgresql:
        body["postgresql"] = postgresql
    return body


def describe(current: dict, body: dict) -> list[str]:
    """One "key: before → after" line per setting a PATCH body changes."""
    lines = [f"{key}: {current.get(key)} → {value}" for key, value in body.items() if key != "postgresql"]
    current_pg = current.get("postgresql") or {}
    for key, value in (body.get("postgresql") or {}).items():
        if key == "parameters":
            before = current_pg.get("parameters") or {}
            lines += [f"{name}: {before.get(name)} → {new}" for name, new in value.items()]
        else:
            lines.append(f"postgresql.{key}: {current_pg.get(key)} → {value}")
    return lines


def read(node, timeout: float = 20) -> dict | None:
    """GET /config from the member's Patroni (the dynamic configuration as the DCS holds it); None when the DCS
    holds none (a cluster whose leader adopted an existing data directory instead of bootstrapping) or Patroni
    did not answer."""
    result = ssh.run(node, ssh.build("curl", "-sS", "--max-time", "5", "-o", "/dev/stdout", "-w", "\\n%{http_code}",
                                     f"http://{node.ip}:{patroni.PORT}/config"), timeout=timeout, check=False)
    status, text = patroni.answer(result)
    if status != 200 or not text.strip():
        return None
    return json.loads(text)


def write(node, password: str, body: dict) -> dict:
    """PATCH /config with `body`; the configuration Patroni answers with. Raises ValueError on a refusal."""
    status, text = patroni.answer(patroni.request(node, "PATCH", "/config", password, body, timeout=30))
    if status != 200:
        raise ValueError(f"Patroni refused the configuration change (HTTP {status}): {text.strip()[:300]}")
    return json.loads(text)
