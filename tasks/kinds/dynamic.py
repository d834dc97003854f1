"""Converging Patroni's dynamic configuration from a job (apply and configure both do it)."""
from tasks.operations import dynamic_config
from tasks.operations.patroni import wait_for

from .spec import system_passwords

CONFIG_WAIT = 60  # a few HA loops of the slowest RTO plan


def converge_dynamic(ctx, cluster, leader) -> dict:
    """PATCH Patroni's dynamic configuration through the leader where it differs from the spec; the body sent
    ({} when nothing differed)."""
    current = dynamic_config.read(leader.node)
    if current is None:
        ctx.log("the DCS holds no dynamic configuration yet (the leader adopted a data directory); waiting for "
                "Patroni to write it from patroni.yml", node=leader.node.ip)
        current = wait_for(lambda: dynamic_config.read(leader.node), timeout=CONFIG_WAIT, interval=0.5,
                           what=f"Patroni on {leader.name} writing its dynamic configuration to the DCS")
    wanted = dynamic_config.desired(leader)
    body = dynamic_config.patch_for(current, wanted)
    if not body:
        ctx.log("Patroni's dynamic configuration is as declared", node=leader.node.ip)
        return body
    dynamic_config.write(leader.node, system_passwords(cluster)["patroni_password"], body)
    for line in dynamic_config.describe(current, body):
        ctx.note_change(f"Patroni dynamic configuration {line}", node=leader.node.ip)
    return body
