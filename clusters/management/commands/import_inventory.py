"""`manage.py import_inventory FILE --deployment NAME`: import a Pigsty inventory, all or nothing."""
from django.core.management.base import BaseCommand, CommandError

from clusters.inventory import InventoryError, import_inventory
from clusters.inventory.errors import format_problem


class Command(BaseCommand):
    help = "Import a Pigsty inventory (pigsty.yml) into a deployment, replacing its modeled content."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the inventory YAML file")
        parser.add_argument("--deployment", required=True, help="deployment name (created when missing)")

    def handle(self, *args, **options):
        path, name = options["file"], options["deployment"]
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        try:
            result = import_inventory(text, name, filename=path)
        except InventoryError as exc:
            for problem in exc.problems:
                self.stderr.write(format_problem(problem))
            raise CommandError(f"{path}: {len(exc.problems)} problem(s); nothing was imported") from None
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        deployment = result.deployment
        self.stdout.write(
            f"imported {path} into deployment {deployment.name}: {deployment.nodes.count()} nodes, "
            f"{deployment.pg_clusters.count()} PGSQL, {deployment.etcd_clusters.count()} ETCD, "
            f"{deployment.minio_clusters.count()} MINIO, {deployment.redis_clusters.count()} REDIS clusters, "
            f"{deployment.infra_nodes.count()} INFRA nodes"
        )
