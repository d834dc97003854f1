"""`manage.py sandbox up [--nodes N] | status | down | install`: sandbox nodes on this host (see tasks/sandbox)."""
import sys

from django.core.management.base import BaseCommand, CommandError

from tasks.sandbox import SandboxConfig, SandboxUnavailable, down, packages, status, up
from tasks.sandbox.registry import register


class Command(BaseCommand):
    help = ("Bring sandbox nodes up on this host (network + mount + PID namespaces), show them, remove them, or "
            "only install the Debian packages they run.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["up", "status", "down", "install"])
        parser.add_argument("--nodes", type=int, default=4, help="number of nodes for `up` (default 4)")
        parser.add_argument("--no-install", action="store_true", help="do not apt-get install missing packages")

    def handle(self, action, nodes, no_install, **options):
        cfg = SandboxConfig.default()
        try:
            if action == "up":
                if nodes < 1:
                    raise CommandError("--nodes must be at least 1")
                deployment = register(up(cfg, nodes, install=not no_install, log=self.stdout.write))
                self._print_status(cfg)
                self.stdout.write(f"deployment {deployment.name!r}: {deployment.nodes.count()} nodes registered; "
                                  f"ssh -i {cfg.client_key_file} root@{cfg.node_ip(1)}")
            elif action == "install":
                installed = packages.ensure_installed(log=self.stdout.write)
                self.stdout.write(f"installed {' '.join(installed)}" if installed else "node packages present")
            elif action == "status":
                self._print_status(cfg)
            else:
                down(cfg, log=self.stdout.write)
        except (SandboxUnavailable, packages.PackageError) as exc:
            sys.stderr.write(f"{exc}\n")
            sys.exit(2)

    def _print_status(self, cfg):
        rows = status(cfg)
        if not rows:
            self.stdout.write("sandbox is down")
        for row in rows:
            state = "running" if row["running"] else "stopped"
            ssh = "ssh ok" if row["ssh"] else "ssh down"
            self.stdout.write(f"{row['node']:<12} {row['ip']:<15} {state:<8} {ssh:<9} pid {row['pid'] or '-'}")
