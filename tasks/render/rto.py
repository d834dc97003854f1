"""Pigsty's RTO plans (`pg_rto`): the Patroni timings and the HAProxy health-check timings of each mode.

One table feeds both patroni.yml and haproxy.cfg, so the two never disagree. A cluster's `pg_rto_plan` overrides
the built-in values of a mode key by key (the model validates `loop_wait + 2 × retry_timeout ≤ ttl`)."""
import re
from decimal import Decimal

PATRONI_KEYS = ("ttl", "loop_wait", "retry_timeout", "primary_start_timeout", "safety_margin")
HAPROXY_KEYS = ("inter", "fastinter", "downinter", "rise", "fall")

RTO_PLANS = {
    "fast": {"ttl": 20, "loop_wait": 5, "retry_timeout": 5, "primary_start_timeout": 15, "safety_margin": 5,
             "inter": "1s", "fastinter": "0.5s", "downinter": "1s", "rise": 3, "fall": 3},
    "norm": {"ttl": 30, "loop_wait": 5, "retry_timeout": 10, "primary_start_timeout": 25, "safety_margin": 5,
             "inter": "2s", "fastinter": "1s", "downinter": "2s", "rise": 3, "fall": 3},
    "safe": {"ttl": 60, "loop_wait": 10, "retry_timeout": 20, "primary_start_timeout": 45, "safety_margin": 10,
             "inter": "3s", "fastinter": "1.5s", "downinter": "3s", "rise": 3, "fall": 3},
    "wide": {"ttl": 120, "loop_wait": 20, "retry_timeout": 30, "primary_start_timeout": 95, "safety_margin": 15,
             "inter": "4s", "fastinter": "2s", "downinter": "4s", "rise": 3, "fall": 3},
}
DEFAULT_MODE = "norm"
UNIT_MICROS = {"us": 1, "ms": 10**3, "s": 10**6, "m": 60 * 10**6, "h": 3600 * 10**6, "d": 86400 * 10**6}


def rto_plan(cluster) -> dict:
    """The effective plan of the cluster's `pg_rto` mode: built-in values under the cluster's overrides."""
    mode = cluster.pg_rto or DEFAULT_MODE
    overrides = (cluster.pg_rto_plan or {}).get(mode, {})
    if mode not in RTO_PLANS and not overrides:
        raise ValueError(f"{cluster.name}: unknown RTO mode {mode!r} (fast, norm, safe, wide or one of pg_rto_plan)")
    plan = {**RTO_PLANS.get(mode, RTO_PLANS[DEFAULT_MODE]), **overrides}
    for key in PATRONI_KEYS + ("rise", "fall"):
        plan[key] = int(plan[key])
    for key in ("inter", "fastinter", "downinter"):
        plan[key] = haproxy_time(plan[key])
    return plan


def haproxy_time(value) -> str:
    """An HAProxy time. HAProxy takes whole numbers only, so Pigsty's `0.5s` becomes `500ms`; a bare number is
    seconds, as in Pigsty's plans."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(us|ms|s|m|h|d)?", str(value).strip())
    if not match:
        raise ValueError(f"invalid HAProxy time {value!r}: expected e.g. 1s, 500ms or 0.5s")
    number, unit = Decimal(match[1]), match[2] or "s"
    micros = number * UNIT_MICROS[unit]
    if number == number.to_integral_value():
        return f"{int(number)}{unit}"
    if micros != micros.to_integral_value():
        raise ValueError(f"invalid HAProxy time {value!r}: finer than a microsecond")
    return f"{int(micros / 1000)}ms" if micros % 1000 == 0 else f"{int(micros)}us"
