"""`manage.py create_api_token USER --name NAME [--read-only] [--deployment D] [--expires-days N]
[--service-account]`: an API token for CI, printed once (only its hash is kept). A service account is a user
without a password: it acts through its tokens with the roles its memberships give it."""
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clusters.access.tokens import issue
from clusters.models import Deployment


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it cannot be shown again)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. ci-deploy")
        parser.add_argument("--read-only", action="store_true", help="the token may only read")
        parser.add_argument("--deployment", help="restrict the token to this deployment (by name)")
        parser.add_argument("--expires-days", type=int, help="the token expires after this many days")
        parser.add_argument("--service-account", action="store_true",
                            help="create USER as a service account (no password, cannot log in) if missing")

    def handle(self, *args, username, name, read_only, deployment, expires_days, service_account, **options):
        users = get_user_model().objects
        user = users.filter(username=username).first()
        if user is None and service_account:
            user = users.create_user(username=username)
        if user is None:
            raise CommandError(f"no user {username!r} (add --service-account to create one)")
        scope = None
        if deployment:
            scope = Deployment.objects.filter(name=deployment).first()
            if scope is None:
                raise CommandError(f"no deployment {deployment!r}")
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be 1 or more")
        expires = timezone.now() + timedelta(days=expires_days) if expires_days else None
        try:
            _, key = issue(user=user, name=name, read_only=read_only, deployment=scope, expires_at=expires)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()))
        self.stdout.write(key)
