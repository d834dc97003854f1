"""`manage.py export_inventory --deployment NAME [-o FILE]`: write a deployment as a Pigsty inventory. The
inventory carries passwords, so a file is created readable by its owner only."""
import os

from django.core.management.base import BaseCommand, CommandError

from clusters.inventory import dump_inventory
from clusters.models import Deployment


class Command(BaseCommand):
    help = "Export a deployment as a Pigsty inventory (pigsty.yml), to stdout or a file."

    def add_arguments(self, parser):
        parser.add_argument("--deployment", required=True, help="deployment name")
        parser.add_argument("-o", "--output", help="write to this file instead of stdout")

    def handle(self, *args, **options):
        name = options["deployment"]
        deployment = Deployment.objects.filter(name=name).first()
        if deployment is None:
            raise CommandError(f"no deployment named {name!r}")
        text = dump_inventory(deployment)
        if not options["output"]:
            self.stdout.write(text, ending="")
            return
        try:
            fd = os.open(options["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise CommandError(f"cannot write {options['output']}: {exc.strerror}") from None
        self.stderr.write(f"exported deployment {name} to {options['output']}")
