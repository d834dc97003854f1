"""Every job kind, imported when the tasks app is ready so the worker and the API know them all."""
from . import (etcd_apply, pgsql_access, pgsql_apply, pgsql_backup, pgsql_configure, pgsql_destroy, pgsql_drill,
               pgsql_replicas, pgsql_restart, pgsql_restore, pgsql_switchover)  # noqa: F401
