"""REST API v1 of the clusters app."""
