"""pgBackRest's view of a cluster: the stanza (= cluster name) and repo1, from Pigsty's `pgbackrest_method` and
`pgbackrest_repo` vars. Without them: a local posix repo in /pg/backup keeping 2 full backups. A repo's keys
become `repo1-<key with - for _>` (as Pigsty does); secret keys (s3_key_secret, cipher_pass…) may sit in the
cluster's or deployment's secret_vars under the same `pgbackrest_repo` shape and are merged over the plain ones."""
import re

from .context import BACKUP_DIR, var

DEFAULT_REPOS = {"local": {"type": "posix", "path": BACKUP_DIR, "retention_full_type": "count", "retention_full": 2}}


def _secret_repo(cluster, method: str) -> dict:
    secret = {}
    for scope in (cluster.deployment.secret_vars, cluster.secret_vars):
        secret.update(((scope or {}).get("pgbackrest_repo") or {}).get(method) or {})
    return secret


def repo_secrets(cluster) -> list[str]:
    """The secret values of the cluster's repo (S3 keys, cipher pass): jobs mask them in their logs."""
    method = var(cluster, "pgbackrest_method", "local")
    return [str(value) for value in _secret_repo(cluster, method).values() if value]


def repo_options(cluster) -> dict:
    """repo1-* options of the cluster's backup repo."""
    method = var(cluster, "pgbackrest_method", "local")
    repos = var(cluster, "pgbackrest_repo", DEFAULT_REPOS)
    secret = _secret_repo(cluster, method)
    if method not in repos:
        raise ValueError(f"{cluster.name}: pgbackrest_method {method!r} is not a repo of pgbackrest_repo "
                         f"({', '.join(repos) or 'none'})")
    repo = {"type": "posix", **repos[method], **secret}
    bad = [key for key in repo if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", str(key))]
    if bad:
        raise ValueError(f"{cluster.name}: invalid pgbackrest_repo key(s) {', '.join(map(repr, bad))}")
    return {f"repo1-{key.replace('_', '-')}": value for key, value in repo.items()}


def global_options(instance) -> dict:
    """[global] options besides the repo: logs, parallelism (small: at most 2 processes), fast start."""
    return {
        "log-path": "/pg/log/pgbackrest",
        "log-level-console": "info",
        "log-level-file": "info",
        "process-max": var(instance, "pgbackrest_process_max", 2),
        "start-fast": True,
        "delta": True,
        "archive-async": False,
        "expire-auto": True,
    }
