"""Tasks: jobs, Celery tasks, SSH execution and node operations."""
