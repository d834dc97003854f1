"""Backups: repositories, policies, backups, PITR requests and approvals (built by the backup issue)."""
