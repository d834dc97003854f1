"""REST API of the backups app."""
