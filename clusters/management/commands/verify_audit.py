"""`manage.py verify_audit`: recompute the hash chains of the change log, the job history and the sign-ins;
exit 0 with the counts when every entry is intact, else name the first tampered entry of each broken chain and
exit 1."""
from django.core.management.base import BaseCommand, CommandError

from clusters.changelog.verify import verify_all


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains; name the first tampered entry of each chain."

    def handle(self, *args, **options):
        reports = verify_all()
        broken = [report for report in reports if report.broken]
        for report in broken:
            entry = report.broken
            when = f" ({entry.time})" if entry.time else ""
            self.stderr.write(f"TAMPERED {report.table} entry #{entry.entry_id}{when}: {entry.problem}")
        if broken:
            raise CommandError(f"{len(broken)} of {len(reports)} audit chains are broken", returncode=1)
        counts = ", ".join(f"{report.verified} {report.title}" for report in reports)
        self.stdout.write(f"ok: {counts} verified")
