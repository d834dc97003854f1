"""etcd.conf: YAML whose every key is an etcd 3.4 flag, bootstrapping the 3 members as one new cluster."""
import pytest
import yaml

from tasks.render import render_etcd

from . import checks

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(deployment):
    return list(deployment.etcd_clusters.get().members.select_related("node").order_by("etcd_seq"))


def test_keys_are_etcd_flags(members):
    assert checks.etcd_unknown_keys(yaml.safe_load(render_etcd(members[0]))) == []


def test_member_config(members):
    conf = yaml.safe_load(render_etcd(members[1]))
    assert conf["name"] == "etcd-2" and conf["data-dir"] == "/var/lib/etcd"
    assert conf["listen-client-urls"] == "http://10.10.10.12:2379,http://127.0.0.1:2379"
    assert conf["advertise-client-urls"] == "http://10.10.10.12:2379"
    assert conf["listen-peer-urls"] == conf["initial-advertise-peer-urls"] == "http://10.10.10.12:2380"
    assert conf["initial-cluster"] == ("etcd-1=http://10.10.10.11:2380,etcd-2=http://10.10.10.12:2380,"
                                       "etcd-3=http://10.10.10.13:2380")
    assert conf["initial-cluster-token"] == "etcd" and conf["initial-cluster-state"] == "new"
    assert conf["enable-grpc-gateway"] is True, "Patroni's etcd3 client talks to the gRPC gateway"
