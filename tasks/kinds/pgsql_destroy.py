"""Destroy a PGSQL cluster on its nodes: stop and remove HAProxy, pgBouncer and Patroni (with PostgreSQL),
delete the data directory, configs and backups, and the cluster's keys in etcd. Requires
{"confirm": "<cluster name>"}. The cluster stays in the panel, marked destroyed, and can be applied again."""
from django.utils import timezone

from clusters.models import EtcdCluster, PGCluster
from tasks import services, ssh
from tasks.jobs import JobKind, Step, register
from tasks.operations import parallel

REMOVED_PATHS = ["/pg/data", "/pg/backup", "/pg/bin/patroni", "/etc/patroni/patroni.yml", "/etc/pgbouncer/pgbouncer.ini",
                 "/etc/pgbouncer/userlist.txt", "/etc/pgbouncer/pgb_hba.conf", "/etc/haproxy/haproxy.cfg",
                 "/etc/pgbackrest/pgbackrest.conf"]


def remove_services(ctx, node):
    """Stop and remove HAProxy, pgBouncer and Patroni (with its PostgreSQL) on the node."""
    svc = services.for_node(node)
    for name in ("haproxy", "pgbouncer", "patroni"):
        if svc.status(name) != services.UNKNOWN:
            svc.remove(name)
            ctx.note_change(f"removed service {name}", node=node.ip)


def wipe(ctx, node):
    """Delete the member's data directory, local backups and configuration files."""
    ssh.run(node, ssh.build("rm", "-rf", "--", *REMOVED_PATHS), timeout=120)
    ctx.note_change("removed data directory, backups and configuration", node=node.ip)


def forget_in_etcd(ctx, cluster):
    """Delete the cluster's keys (leader, members, initialize, config, history) from etcd."""
    etcd = EtcdCluster.objects.filter(deployment=cluster.deployment).first()
    members = list(etcd.members.select_related("node")) if etcd else []
    if not members:
        ctx.log("no ETCD cluster: nothing to forget in the DCS")
        return
    endpoints = ",".join(f"http://{m.node.ip}:2379" for m in members)
    ssh.run(members[0].node, ssh.build("env", "ETCDCTL_API=3", "etcdctl", "--endpoints", endpoints,
                                       "del", "--prefix", f"/pg/{cluster.name}/"), timeout=30)
    ctx.note_change(f"removed /pg/{cluster.name}/ from etcd")


@register
class PGSQLDestroy(JobKind):
    name = "pgsql.destroy"
    target_model = PGCluster

    def validate(self, cluster, params):
        if params.get("confirm") != cluster.name:
            return {"confirm": [f"type the cluster name to confirm: {{\"confirm\": \"{cluster.name}\"}}"]}
        return {}

    def steps(self, ctx):
        cluster = ctx.target
        nodes = [i.node for i in cluster.instances.select_related("node")]

        def stop(ctx):
            cluster.status = "destroying"
            cluster.save(update_fields=["status", "last_updated"])
            parallel.each(nodes, lambda node: remove_services(ctx, node))

        def forget(ctx):
            forget_in_etcd(ctx, cluster)
            for instance in cluster.instances.all():
                instance.live_role, instance.live_state, instance.live_timeline = "", "absent", None
                instance.live_lag_mb, instance.live_updated = None, timezone.now()
                instance.save(update_fields=["live_role", "live_state", "live_timeline", "live_lag_mb",
                                             "live_updated"])
            cluster.status = "destroyed"
            cluster.save(update_fields=["status", "last_updated"])

        return [Step("stop and remove services", stop),
                Step("delete data and configuration", lambda ctx: parallel.each(nodes, lambda n: wipe(ctx, n))),
                Step("forget the cluster in etcd", forget)]
