"""Converging Patroni's dynamic configuration from a job (apply and configure both do it)."""
from tasks.operations import dynamic_config

from .spec import system_passwords


def converge_dynamic(ctx, cluster, leader) -> dict:
    """PATCH Patroni's dynamic configuration through the leader where it differs from the spec; the body sent
    ({} when nothing differed)."""
    current = dynamic_config.read(leader.node)
    body = dynamic_config.patch_for(current, dynamic_config.desired(leader))
    if not body:
        ctx.log("Patroni's dynamic configuration is as declared", node=leader.node.ip)
        return body
    dynamic_config.write(leader.node, system_passwords(cluster)["patroni_password"], body)
    for line in dynamic_config.describe(current, body):
        ctx.note_change(f"Patroni dynamic configuration {line}", node=leader.node.ip)
    return body
