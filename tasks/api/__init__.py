"""REST API of the tasks app: jobs, their logs, cancel."""
