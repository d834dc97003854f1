"""Create (or converge) an ETCD cluster on its members' nodes and check its health."""
from django.utils import timezone

from clusters.models import EtcdCluster
from tasks import services, ssh
from tasks.jobs import JobKind, Step, register
from tasks.operations import packages, parallel
from tasks.operations.patroni import wait_for
from tasks.render import render_etcd
from tasks.render.programs import program

from .common import mkdirs, reach_all, write

CONF = "/etc/etcd/etcd.conf"
DATA = "/var/lib/etcd"


def endpoints(cluster) -> str:
    return ",".join(f"http://{m.node.ip}:2379" for m in cluster.members.select_related("node"))


def healthy_members(node, cluster) -> int:
    result = ssh.run(node, ssh.build("env", "ETCDCTL_API=3", "etcdctl", "--endpoints", endpoints(cluster),
                                     "--command-timeout=3s", "endpoint", "health"), check=False, timeout=20)
    return sum(1 for line in (result.stdout + result.stderr).splitlines() if "is healthy" in line)


@register
class EtcdApply(JobKind):
    name = "etcd.apply"
    target_model = EtcdCluster

    def validate(self, cluster, params):
        members = list(cluster.members.all())
        errors = cluster.topology_errors(members)
        return {"members": errors} if errors else {}

    def steps(self, ctx):
        cluster = ctx.target
        members = list(cluster.members.select_related("node"))
        nodes = [m.node for m in members]

        def check(ctx):
            reach_all(ctx, nodes, packages.ETCD_PROGRAMS)

        def configure(ctx):
            def one(member):
                node = member.node
                mkdirs(node, [DATA], owner="etcd")
                changed = write(ctx, node, CONF, render_etcd(member), owner="etcd", mode=0o600)
                svc = services.for_node(node)
                if svc.install(program("etcd")) == "changed":
                    ctx.note_change("installed service etcd", node=node.ip)
                if changed and svc.is_running("etcd"):
                    svc.restart("etcd")
                    ctx.log("restarted etcd (configuration changed)", node=node.ip)
            parallel.each(members, one)

        def start(ctx):
            def one(node):
                svc = services.for_node(node)
                if not svc.is_running("etcd"):
                    svc.start("etcd")
                    ctx.note_change("started etcd", node=node.ip)
            parallel.each(nodes, one)

        def health(ctx):
            count = len(members)
            wait_for(lambda: healthy_members(nodes[0], cluster) == count, timeout=60,
                     what=f"all {count} etcd members healthy")
            ctx.log(f"{count}/{count} members healthy")
            ctx.result["healthy_members"] = count
            cluster.status, cluster.last_applied = "running", timezone.now()
            cluster.save(update_fields=["status", "last_applied", "last_updated"])

        return [Step("check nodes", check), Step("write configuration", configure), Step("start members", start),
                Step("check health", health)]
