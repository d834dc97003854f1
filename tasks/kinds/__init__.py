"""Every job kind, imported when the tasks app is ready so the worker and the API know them all."""
from . import etcd_apply, pgsql_apply, pgsql_destroy  # noqa: F401
