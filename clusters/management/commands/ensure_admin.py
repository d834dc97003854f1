"""Create the first admin user for a fresh install, with a generated password shown once and kept in var/."""
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from clusters.models.deployment import generate_password


class Command(BaseCommand):
    help = "Create user 'admin' with a random password if no superuser exists; print where the password is."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            return
        password = generate_password()
        users.objects.create_superuser(username, "", password)
        path = settings.VAR_DIR / "admin-password"
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password + "\n")
        self.stdout.write(f"Created superuser '{username}'; its password is in {path} (readable by you only).")
