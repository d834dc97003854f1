"""Registering a running sandbox in the database: a Deployment with its Nodes and the SSH Credential, so
the UI and API see the nodes at once. Idempotent (update_or_create); host keys are pinned from the keys the
sandbox generated, so the first connection is already verified. Sandbox nodes share one host's memory and
CPUs, so the deployment declares each node small (`node_mem_mb`, `node_cpu`) for PostgreSQL's tuning."""
from django.db import transaction

from clusters.models import Credential, Deployment, Node

from .lifecycle import SandboxInfo

NODE_SIZE_VARS = {"node_mem_mb": 1024, "node_cpu": 1}


@transaction.atomic
def register(sandbox: SandboxInfo) -> Deployment:
    cfg = sandbox.config
    credential, _ = Credential.objects.update_or_create(
        name=f"{cfg.deployment}-root", defaults={"kind": "ssh_key", "username": "root", "secret": sandbox.private_key})
    existing = Deployment.objects.filter(name=cfg.deployment).first()
    deployment, _ = Deployment.objects.update_or_create(
        name=cfg.deployment,
        defaults={"description": "Sandbox nodes on this host (`manage.py sandbox`)",
                  "intra_cidrs": [str(cfg.network)],
                  "vars": {**NODE_SIZE_VARS, **(existing.vars if existing else {})}})
    for node in sandbox.nodes:
        Node.objects.update_or_create(
            deployment=deployment, ip=node.ip,
            defaults={"hostname": node.name, "ssh_port": 22, "ssh_user": "root", "credential": credential,
                      "host_key": " ".join(node.host_key.split()[:2])})
    return deployment
