"""Node configuration files rendered from the models (templates in ansible_assets/): etcd, Patroni, pg_hba,
pgBouncer, HAProxy, pgBackRest, supervisor programs and systemd units."""
from .render import (
                     render_etcd,
                     render_haproxy,
                     render_patroni,
                     render_patroni_launcher,
                     render_pg_hba_lines,
                     render_pgbackrest,
                     render_pgbouncer_hba,
                     render_pgbouncer_ini,
                     render_pgbouncer_userlist,
                     render_supervisor_program,
                     render_systemd_unit,
)

__all__ = [
    "render_etcd", "render_haproxy", "render_patroni", "render_patroni_launcher", "render_pg_hba_lines", "render_pgbackrest",
    "render_pgbouncer_hba", "render_pgbouncer_ini", "render_pgbouncer_userlist", "render_supervisor_program",
    "render_systemd_unit",
]
