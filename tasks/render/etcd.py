"""etcd 3.4 YAML config of one member, as a dict: the member listens on its node IP (clients also on 127.0.0.1)
and bootstraps a new cluster named after the ETCD cluster with every member as an initial peer."""
from .context import ETCD_CLIENT_PORT, ETCD_PEER_PORT, etcd_members


def etcd_config(member) -> dict:
    cluster = member.cluster
    ip = member.node.ip
    peers = ",".join(f"{m.name}={_url(m.node.ip, ETCD_PEER_PORT)}" for m in etcd_members(cluster))
    return {
        "name": member.name,
        "data-dir": "/var/lib/etcd",
        "listen-client-urls": f"{_url(ip, ETCD_CLIENT_PORT)},{_url('127.0.0.1', ETCD_CLIENT_PORT)}",
        "advertise-client-urls": _url(ip, ETCD_CLIENT_PORT),
        "listen-peer-urls": _url(ip, ETCD_PEER_PORT),
        "initial-advertise-peer-urls": _url(ip, ETCD_PEER_PORT),
        "initial-cluster": peers,
        "initial-cluster-token": cluster.name,
        "initial-cluster-state": "new",
        "auto-compaction-mode": "periodic",
        "auto-compaction-retention": "24h",
        "quota-backend-bytes": 2 * 1024**3,
        # the flag defaults to on, but a config file defaults it to off; Patroni's etcd3 client needs it
        "enable-grpc-gateway": True,
    }


def _url(ip: str, port: int) -> str:
    host = f"[{ip}]" if ":" in ip else ip
    return f"http://{host}:{port}"
