"""Signal handlers writing ObjectChange rows for every ChangeLoggedModel save and delete."""
from django.db.models.signals import post_delete, post_save, pre_save

from .context import current
from .scope import deployment_id_of
from .snapshot import is_secret, logged_fields, raw_values, snapshot


def _logged(sender) -> bool:
    from clusters.models.base import ChangeLoggedModel

    return issubclass(sender, ChangeLoggedModel)


def remember_before(sender, instance, raw=False, **kwargs):
    if raw or not _logged(sender) or instance.pk is None:
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._changelog_before = raw_values(old) if old is not None else None


def record_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _logged(sender):
        return
    before_raw = None if created else getattr(instance, "_changelog_before", None)
    after_raw = raw_values(instance)
    changed_secrets = {
        f.name for f in logged_fields(instance)
        if is_secret(f) and (before_raw is None or before_raw.get(f.name) != after_raw.get(f.name))
    }
    before = snapshot(instance, before_raw) if before_raw is not None else None
    after = snapshot(instance, after_raw, changed_secrets if before_raw is not None else ())
    if before is not None and before == after:
        return
    _write(instance, "create" if before_raw is None else "update", before, after)


def record_delete(sender, instance, **kwargs):
    if not _logged(sender):
        return
    _write(instance, "delete", snapshot(instance), None)


def _write(instance, action, before, after):
    from django.contrib.contenttypes.models import ContentType

    from clusters.models.changelog import ObjectChange

    ctx = current()
    user = ctx.user if getattr(ctx.user, "pk", None) else None
    ObjectChange.objects.create(
        user=user,
        user_name=user.get_username() if user else "",
        source=ctx.source,
        request_id=ctx.request_id,
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        before=before,
        after=after,
        deployment_id=deployment_id_of(instance),
    )


def connect():
    pre_save.connect(remember_before, dispatch_uid="changelog_pre_save")
    post_save.connect(record_save, dispatch_uid="changelog_post_save")
    post_delete.connect(record_delete, dispatch_uid="changelog_post_delete")
