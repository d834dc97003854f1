"""Monitoring: exporters, scrape targets, Grafana dashboards and charts (built by a later issue)."""
