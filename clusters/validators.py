"""Pigsty's naming and value rules, as Django validators and small checks shared by models and import."""
import ipaddress
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

PG_CLUSTER_RE = r"^[a-zA-Z0-9-]+$"
REDIS_CLUSTER_RE = r"^[a-z][a-z0-9-]*$"
GENERIC_CLUSTER_RE = r"^[a-zA-Z][a-zA-Z0-9-]*$"
PG_IDENTIFIER_RE = r"^[a-zA-Z_][a-zA-Z0-9_$]{0,62}$"
DEPLOYMENT_RE = r"^[a-z0-9][a-z0-9_-]*$"

pg_cluster_name = RegexValidator(
    PG_CLUSTER_RE, "must match [a-zA-Z0-9-]+ (a DNS name: letters, digits and '-', no dots)"
)
redis_cluster_name = RegexValidator(REDIS_CLUSTER_RE, "must match [a-z][a-z0-9-]* (a DNS name starting with a letter)")
generic_cluster_name = RegexValidator(GENERIC_CLUSTER_RE, "must match [a-zA-Z][a-zA-Z0-9-]* (a DNS name)")
deployment_name = RegexValidator(DEPLOYMENT_RE, "must match [a-z0-9][a-z0-9_-]* (lower-case letters, digits, '-', '_')")
pg_identifier = RegexValidator(
    PG_IDENTIFIER_RE,
    "must be a PostgreSQL identifier: a letter or '_' then letters, digits, '_' or '$', at most 63 characters",
)

HBA_ADDR_ALIASES = ("local", "localhost", "intra", "infra", "admin", "world")
HBA_AUTH_ALIASES = ("deny", "pwd", "sha", "scram", "md5", "ssl", "ssl-md5", "ssl-sha", "os", "ident", "peer",
                    "trust", "cert")
HBA_USER_ALIASES = ("${dbsu}", "${repl}", "${monitor}", "${admin}", "all")

# Pigsty's well-known default credentials: anyone can read them in its documentation.
WELL_KNOWN_DEFAULTS = {
    "pg_admin_password": "DBUser.DBA",
    "pg_monitor_password": "DBUser.Monitor",
    "pg_replication_password": "DBUser.Replicator",
    "patroni_password": "Patroni.API",
    "haproxy_admin_password": "pigsty",
    "grafana_admin_password": "pigsty",
    "minio_secret_key": "S3User.MinIO",
    "etcd_root_password": "Etcd.Root",
}
WELL_KNOWN_PASSWORDS = frozenset(WELL_KNOWN_DEFAULTS.values())
SYSTEM_PASSWORD_VARS = tuple(WELL_KNOWN_DEFAULTS)
GENERATED_PASSWORD_LENGTH = 24


def contains_nul(value) -> bool:
    """True if a string anywhere in `value` (dict keys included) holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(contains_nul(item) for item in value)
    return False


def not_well_known_password(value):
    if value in WELL_KNOWN_PASSWORDS:
        raise ValidationError(
            "is one of Pigsty's well-known default passwords; choose another (or leave empty to generate one)",
            code="default_password",
        )


def one_line_password(value):
    """pgBouncer's user list holds one user and password per line: a password cannot break that line."""
    if "\n" in value or "\r" in value:
        raise ValidationError("cannot contain a line break (pgBouncer's user list holds one password per line)",
                              code="password_line_break")


def hba_addr(value):
    if value in HBA_ADDR_ALIASES:
        return
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValidationError(
            f"must be an alias ({', '.join(HBA_ADDR_ALIASES)}) or a valid CIDR such as 10.0.0.0/8; got {value!r}",
            code="hba_addr",
        ) from None
    if "/" not in value:
        raise ValidationError(f"CIDR needs a prefix length, e.g. {value}/32", code="hba_addr")


def hba_auth(value):
    if value not in HBA_AUTH_ALIASES:
        raise ValidationError(
            f"must be one of the auth aliases {', '.join(HBA_AUTH_ALIASES)}; got {value!r}", code="hba_auth"
        )


def hba_user(value):
    if value in HBA_USER_ALIASES:
        return
    name = value[1:] if value.startswith("+") else value
    if not re.match(PG_IDENTIFIER_RE, name):
        raise ValidationError(
            f"must be all, ${{dbsu}}, ${{repl}}, ${{monitor}}, ${{admin}}, +role or a role name; got {value!r}",
            code="hba_user",
        )


HBA_DB_RE = r"^[A-Za-z0-9_$+@.-]+(,[A-Za-z0-9_$+@.-]+)*$"


def hba_db(value):
    """all, replication, sameuser, samerole or database names, comma-separated (one pg_hba.conf field)."""
    if not re.match(HBA_DB_RE, value or ""):
        raise ValidationError(f"must be all, replication or database names separated by commas; got {value!r}",
                              code="hba_db")


def cidr(value):
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValidationError(f"{value!r} is not a valid CIDR", code="cidr") from None


def cidr_list(values):
    if not isinstance(values, list):
        raise ValidationError("must be a list of CIDRs", code="cidr_list")
    for value in values:
        cidr(value)


def postgres_size(value):
    """pg_delay and similar: a PostgreSQL interval such as 1h, 30min, 1d."""
    if value and not re.match(r"^\d+\s*(ms|s|min|h|d)?$", str(value)):
        raise ValidationError(f"must be a duration such as 30min, 1h or 1d; got {value!r}", code="duration")


# set by the panel from the node, the cluster and Patroni: a pg_parameters entry cannot override them
PANEL_PARAMETERS = frozenset({
    "archive_command", "archive_mode", "data_directory", "hba_file", "ident_file", "config_file", "listen_addresses",
    "port", "unix_socket_directories", "cluster_name", "hot_standby", "wal_level", "wal_log_hints",
    "max_wal_senders", "max_replication_slots", "primary_conninfo", "primary_slot_name", "restore_command",
    "recovery_target_timeline", "ssl", "ssl_cert_file", "ssl_key_file", "ssl_ca_file", "password_encryption"})
PARAMETER_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")


def pg_parameters(value) -> list[str]:
    """Problems of a `pg_parameters` var (PostgreSQL parameter → value, overriding the conf template)."""
    if not isinstance(value, dict):
        return ["must be a mapping of PostgreSQL parameter names to values"]
    problems = []
    for name, setting in value.items():
        if not isinstance(name, str) or not PARAMETER_NAME_RE.match(name):
            problems.append(f"{name!r}: not a PostgreSQL parameter name (lower case letters, digits, _ and one .)")
        elif name in PANEL_PARAMETERS:
            problems.append(f"{name}: set by rdsconsole from the cluster and its nodes; it cannot be overridden")
        elif isinstance(setting, bool) or not isinstance(setting, (str, int, float)) or contains_nul(setting) \
                or "\n" in str(setting):
            problems.append(f"{name}: the value must be one line of text or a number")
    return problems


RTO_PLAN_KEYS = ("ttl", "loop_wait", "retry_timeout", "primary_start_timeout", "safety_margin")


def rto_plan(plan):
    """A custom pg_rto_plan: {mode: {ttl, loop_wait, retry_timeout, ...}} with loop_wait + 2×retry_timeout ≤ ttl."""
    if not isinstance(plan, dict):
        raise ValidationError("must be a mapping of mode name to Patroni/HAProxy parameters", code="rto_plan")
    errors = []
    for mode, params in plan.items():
        if not isinstance(params, dict):
            errors.append(f"{mode}: must be a mapping of parameters")
            continue
        missing = [key for key in ("ttl", "loop_wait", "retry_timeout") if key not in params]
        if missing:
            errors.append(f"{mode}: missing {', '.join(missing)}")
            continue
        try:
            ttl, loop_wait, retry = (int(params[k]) for k in ("ttl", "loop_wait", "retry_timeout"))
        except (TypeError, ValueError):
            errors.append(f"{mode}: ttl, loop_wait and retry_timeout must be whole seconds")
            continue
        if loop_wait + 2 * retry > ttl:
            errors.append(
                f"{mode}: loop_wait + 2 × retry_timeout must be ≤ ttl ({loop_wait} + 2 × {retry} = "
                f"{loop_wait + 2 * retry} > {ttl})"
            )
    if errors:
        raise ValidationError(errors, code="rto_plan")


SECRET_MARKERS = ("password", "secret", "cipher_pass", "_key_secret")


def is_secret_key(key) -> bool:
    """A var name that holds a secret (pg_admin_password, minio_secret_key, cipher_pass, s3_key_secret…)."""
    return isinstance(key, str) and any(marker in key.lower() for marker in SECRET_MARKERS)


def holds_secret(value) -> bool:
    """A value is secret when it contains, at any depth, a mapping key that looks secret."""
    if isinstance(value, dict):
        return any(is_secret_key(k) or holds_secret(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_secret(item) for item in value)
    return False


def secret_vars_in(variables) -> list[str]:
    """Names of the vars in a plain (unencrypted) vars mapping that hold secrets."""
    if not isinstance(variables, dict):
        return []
    return sorted(key for key, value in variables.items() if is_secret_key(key) or holds_secret(value))
