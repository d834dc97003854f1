"""What each role may do, and what one user (through one token, if any) may do in each deployment.

Capabilities: `view` (read), `operate` (day-2 jobs), `change` (create/alter/destroy clusters, databases, users,
HBA; request restores), `approve` (decide restores), `admin` (members, credentials, settings of the deployment).
Superusers hold every capability everywhere, including what belongs to no deployment (new deployments, shared
credentials, panel users). A token narrows its user: read-only keeps `view`, a deployment restriction hides
the others."""
from dataclasses import dataclass, field

VIEW, OPERATE, CHANGE, APPROVE, ADMIN = "view", "operate", "change", "approve", "admin"
CAPABILITIES = (VIEW, OPERATE, CHANGE, APPROVE, ADMIN)

ROLE_CAPABILITIES = {
    "viewer": {VIEW},
    "operator": {VIEW, OPERATE},
    "dba": {VIEW, OPERATE, CHANGE},
    "approver": {VIEW, APPROVE},
    "admin": set(CAPABILITIES),
}


@dataclass
class Access:
    """Capabilities per deployment id; `everywhere` for superusers (still narrowed by their token)."""

    everywhere: bool = False
    by_deployment: dict = field(default_factory=dict)
    read_only: bool = False
    only_deployment: int | None = None
    roles: dict = field(default_factory=dict)

    def can(self, capability: str, deployment_id) -> bool:
        """May do `capability` on an object of `deployment_id` (None: an object of no deployment)."""
        if self.read_only and capability != VIEW:
            return False
        if self.only_deployment is not None and deployment_id != self.only_deployment:
            return False
        if self.everywhere:
            return True
        return deployment_id is not None and capability in self.by_deployment.get(deployment_id, ())

    def deployment_ids(self, capability: str = VIEW):
        """The deployments where `capability` is held, or None meaning all of them."""
        if self.read_only and capability != VIEW:
            return set()
        if self.everywhere:
            return None if self.only_deployment is None else {self.only_deployment}
        ids = {dep for dep, caps in self.by_deployment.items() if capability in caps}
        return ids if self.only_deployment is None else ids & {self.only_deployment}

    def roles_in(self, deployment_id) -> list[str]:
        """The role names shown in the header for a deployment (or across all, for None)."""
        if self.everywhere:
            return ["admin"]
        if deployment_id is None:
            return sorted({role for roles in self.roles.values() for role in roles})
        return sorted(self.roles.get(deployment_id, ()))


NOBODY = Access()


def access_of(user) -> Access:
    """The Access of an authenticated user (cached on the user object for the request), narrowed by the API
    token they authenticated with (`user.api_token`, set by the token authentication)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, "_rds_access", None)
    if cached is not None:
        return cached
    from clusters.models import Membership

    access = Access(everywhere=user.is_superuser)
    if not user.is_superuser:
        for deployment_id, role in Membership.objects.filter(user=user).values_list("deployment_id", "role"):
            access.by_deployment.setdefault(deployment_id, set()).update(ROLE_CAPABILITIES[role])
            access.roles.setdefault(deployment_id, set()).add(role)
    token = getattr(user, "api_token", None)
    if token is not None:
        access.read_only = token.read_only
        access.only_deployment = token.deployment_id
    user._rds_access = access
    return access
