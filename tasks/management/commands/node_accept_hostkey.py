"""`manage.py node_accept_hostkey IP [--deployment NAME]`: pin the host key a node offers now, after the
operator verified that the change is legitimate (e.g. the node was reinstalled)."""
from django.core.management.base import BaseCommand, CommandError

from clusters.models import Node
from tasks import ssh


class Command(BaseCommand):
    help = "Accept (pin) the SSH host key a node currently offers, replacing the pinned one."

    def add_arguments(self, parser):
        parser.add_argument("ip")
        parser.add_argument("--deployment", help="deployment name, when the IP exists in several")

    def handle(self, ip, deployment, **options):
        nodes = Node.objects.filter(ip=ip)
        if deployment:
            nodes = nodes.filter(deployment__name=deployment)
        if len(nodes) != 1:
            raise CommandError(f"{len(nodes)} nodes match {ip}; give --deployment" if nodes else f"no node {ip}")
        node = nodes[0]
        old = ssh.hostkeys.fingerprint(node.host_key) if node.host_key else "none"
        try:
            new = ssh.accept_new_host_key(node)
        except OSError as exc:
            raise CommandError(f"cannot reach {ip}:{node.ssh_port}: {exc}") from None
        self.stdout.write(f"{node}: pinned host key {new} (was {old})")
