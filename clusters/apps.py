"""The clusters app: deployments, nodes, and PGSQL/ETCD/MINIO/REDIS clusters."""
from django.apps import AppConfig


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = "Clusters"

    def ready(self):
        from clusters.access import schema  # noqa: F401 (registers the token scheme with drf-spectacular)
        from clusters.changelog import auth_signals, signals

        signals.connect()
        auth_signals.connect()
