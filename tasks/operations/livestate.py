"""Reading live state from Patroni and recording it on the instances: live role, state, timeline, lag."""
from django.utils import timezone

from tasks import ssh
from tasks.operations.patroni import members as patroni_members

ROLE_NAMES = {"Leader": "primary", "Standby Leader": "primary", "Replica": "replica", "Sync Standby": "replica",
              "Quorum Standby": "replica"}


def record_live_state(cluster) -> dict:
    """Ask Patroni (through the first member that answers) and save each instance's live fields."""
    instances = list(cluster.instances.select_related("node"))
    listing, last_error = None, None
    for instance in instances:
        try:
            listing = patroni_members(instance.node)
            break
        except ssh.SSHError as exc:
            last_error = exc
    if listing is None:
        raise last_error or RuntimeError("no members")
    by_name = {m["Member"]: m for m in listing}
    now = timezone.now()
    for instance in instances:
        member = by_name.get(instance.name)
        lag = member.get("Lag in MB") if member else None
        instance.live_role = ROLE_NAMES.get(member.get("Role"), "") if member else ""
        instance.live_state = member.get("State", "") if member else "absent"
        instance.live_timeline = member.get("TL") if member and isinstance(member.get("TL"), int) else None
        instance.live_lag_mb = lag if isinstance(lag, (int, float)) else None
        instance.live_updated = now
        instance.save(update_fields=["live_role", "live_state", "live_timeline", "live_lag_mb", "live_updated"])
    leader = next((m["Member"] for m in listing if m.get("Role") in ("Leader", "Standby Leader")), None)
    return {"leader": leader, "members": listing}
