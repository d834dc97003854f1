"""Per-member work shared by the PGSQL kinds: writing an instance's configuration files, installing and
starting its programs, and reloading a running program whose configuration changed."""
from tasks import services
from tasks.render import (render_haproxy, render_patroni, render_patroni_launcher, render_pgbackrest,
                          render_pgbouncer_hba, render_pgbouncer_ini, render_pgbouncer_userlist)
from tasks.render.programs import program

from .common import mkdirs, write

PG_DIRS = ["/pg", "/pg/bin", "/pg/data", "/pg/backup", "/pg/log", "/var/log/postgresql"]
PROGRAMS = ("patroni", "pgbouncer", "haproxy")


def write_files(ctx, instance, userlist: str | None = None, pgb_hba: str | None = None) -> dict[str, bool]:
    """Write every configuration file of the instance; {program: whether one of its files changed}.
    `userlist` and `pgb_hba` are the same on every member: pass them when writing several members."""
    cluster, node = instance.cluster, instance.node
    userlist = render_pgbouncer_userlist(cluster) if userlist is None else userlist
    pgb_hba = render_pgbouncer_hba(cluster) if pgb_hba is None else pgb_hba
    mkdirs(node, PG_DIRS, owner="postgres")
    mkdirs(node, ["/etc/patroni", "/etc/pgbouncer", "/etc/pgbackrest"], owner="postgres", mode="0750")
    write(ctx, node, "/pg/bin/patroni", render_patroni_launcher(), mode=0o755)  # read when Patroni starts
    return {
        "patroni": write(ctx, node, "/etc/patroni/patroni.yml", render_patroni(instance), owner="postgres",
                         mode=0o600),
        "pgbouncer": write_pgbouncer_files(ctx, instance, userlist, pgb_hba),
        "haproxy": write(ctx, node, "/etc/haproxy/haproxy.cfg", render_haproxy(instance), mode=0o600),
        "pgbackrest": write(ctx, node, "/etc/pgbackrest/pgbackrest.conf", render_pgbackrest(instance),
                            owner="postgres", mode=0o600),
    }


def write_pgbouncer_files(ctx, instance, userlist: str, pgb_hba: str) -> bool:
    """pgbouncer.ini (with the database list), the user list and pgBouncer's HBA; whether one changed."""
    changed = [write(ctx, instance.node, path, content, owner="postgres", mode=0o600) for path, content in (
        ("/etc/pgbouncer/pgbouncer.ini", render_pgbouncer_ini(instance)),
        ("/etc/pgbouncer/userlist.txt", userlist),
        ("/etc/pgbouncer/pgb_hba.conf", pgb_hba))]
    return any(changed)


def install(ctx, node, name: str) -> bool:
    """Write the program's definition; True when supervisord/systemd (re)started it from a new definition."""
    if services.for_node(node).install(program(name)) == "changed":
        ctx.note_change(f"installed service {name}", node=node.ip)
        return True
    return False


def reload(ctx, node, name: str, why: str = "configuration changed"):
    services.for_node(node).reload(name, program(name).reload_signal)
    ctx.log(f"reloaded {name} ({why})", node=node.ip)


def ensure_running(ctx, node, name: str, config_changed: bool, installed: bool | None = None):
    """Running with the configuration written in this run: started when it is not running, reloaded when only
    its configuration changed (a program installed just now has read the new files already)."""
    svc = services.for_node(node)
    installed = install(ctx, node, name) if installed is None else installed
    if not svc.is_running(name):
        svc.start(name)
        ctx.note_change(f"started {name}", node=node.ip)
    elif config_changed and not installed:
        reload(ctx, node, name)
