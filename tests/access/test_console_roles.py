"""The console shows each user the operations their role allows on a cluster (the server refuses the rest
anyway, see the sweep) and the roles they hold in the header."""
import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("roles, shown, hidden", [
    (("viewer",), [], ["switchover", "backup", "destroy", "add-user", "add-hba-rule"]),
    (("operator",), ["switchover", "backup", "restart"], ["destroy", "add-user", "configure", "add-replica"]),
    (("dba",), ["switchover", "destroy", "add-user", "add-hba-rule", "configure"], []),
    (("approver",), [], ["switchover", "destroy"]),
])
def test_the_cluster_page_offers_what_the_role_allows(django_user_model, roles, shown, hidden):
    cluster = factories.pg_cluster(status="running")
    user = factories.member(django_user_model.objects.create_user("someone", password="Some-pass-word-1"),
                            cluster.deployment, *roles)
    client = Client()
    client.force_login(user)
    page = client.get(f"/clusters/{cluster.pk}/").content.decode()
    for action in shown:
        assert f"/clusters/{cluster.pk}/do/{action}/" in page, (roles, action)
    for action in hidden:
        assert f"/clusters/{cluster.pk}/do/{action}/" not in page, (roles, action)
    assert f"someone · {', '.join(roles)}" in page
    assert ("reads only" in page) == (not shown)
