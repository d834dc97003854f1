"""Admin pages for every model of the clusters app and for the job history; secrets are write-only (never shown
back), audit entries read-only."""
from django import forms
from django.contrib import admin

from clusters import models
from rdsconsole.crypto import EncryptedJSONField, EncryptedTextField
from tasks.models import JobEvent


class SecretWidget(forms.PasswordInput):
    """Never renders the stored value; leaving it empty keeps the stored secret."""

    def __init__(self, attrs=None):
        super().__init__(attrs, render_value=False)


class WriteOnlySecretsForm(forms.ModelForm):
    """Encrypted text fields (passwords, keys) as empty password inputs: typing sets a new value, leaving one
    empty keeps the stored value (or refuses, if the field is required and nothing is stored)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.secret_fields():
            self.fields[name] = forms.CharField(widget=SecretWidget, required=False,
                                                help_text="write-only; leave empty to keep the stored value")

    def secret_fields(self):
        return [field.name for field in self._meta.model._meta.concrete_fields
                if isinstance(field, EncryptedTextField) and field.name in self.fields]

    def clean(self):
        cleaned = super().clean()
        for name in self.secret_fields():
            if not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name) if self.instance.pk else ""
                if not cleaned[name] and not self._meta.model._meta.get_field(name).blank:
                    self.add_error(name, "is required")
        return cleaned


class HideSecrets:
    """Secrets are never shown back: secret-var mappings are left out of the form, passwords and keys are
    write-only inputs."""

    form = WriteOnlySecretsForm

    def get_exclude(self, request, obj=None):
        secret = [field.name for field in self.model._meta.concrete_fields if isinstance(field, EncryptedJSONField)]
        return [*(super().get_exclude(request, obj) or ()), *secret]


class SecretsHidden(HideSecrets, admin.ModelAdmin):
    pass


@admin.register(models.Credential)
class CredentialAdmin(SecretsHidden):
    list_display = ["name", "kind", "username"]


@admin.register(models.Deployment)
class DeploymentAdmin(SecretsHidden):
    list_display = ["name", "description"]
    search_fields = ["name"]


@admin.register(models.Node)
class NodeAdmin(admin.ModelAdmin):
    list_display = ["ip", "hostname", "deployment", "status", "checked_at"]
    list_filter = ["deployment", "status"]
    search_fields = ["ip", "hostname"]


class PGInstanceInline(HideSecrets, admin.TabularInline):
    model = models.PGInstance
    extra = 0


@admin.register(models.PGCluster)
class PGClusterAdmin(SecretsHidden):
    list_display = ["name", "deployment", "pg_version", "pg_rto", "pg_rpo", "pg_conf"]
    list_filter = ["deployment"]
    inlines = [PGInstanceInline]


@admin.register(models.PGUser)
class PGUserAdmin(SecretsHidden):
    list_display = ["name", "cluster"]


@admin.register(models.MinioUser)
class MinioUserAdmin(SecretsHidden):
    list_display = ["access_key", "cluster", "policy"]


@admin.register(models.EtcdCluster, models.MinioCluster)
class ModuleClusterAdmin(SecretsHidden):
    list_display = ["name", "deployment"]


@admin.register(models.RedisCluster)
class RedisClusterAdmin(SecretsHidden):
    list_display = ["name", "deployment", "redis_mode"]


class AuditEntryAdmin(admin.ModelAdmin):
    """Audit entries are append-only: the admin shows them and never adds, changes or deletes one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.ObjectChange)
class ObjectChangeAdmin(AuditEntryAdmin):
    list_display = ["time", "user_name", "source", "action", "content_type", "object_repr"]
    list_filter = ["source", "action", "content_type"]


@admin.register(models.AuthEvent)
class AuthEventAdmin(AuditEntryAdmin):
    list_display = ["time", "action", "username", "ip", "source"]
    list_filter = ["action", "source"]
    search_fields = ["username"]


@admin.register(JobEvent)
class JobEventAdmin(AuditEntryAdmin):
    list_display = ["time", "job_id", "event", "kind", "target_repr", "user_name", "status"]
    list_filter = ["event", "status", "kind"]


admin.site.register([
    models.InfraNode, models.PGInstance, models.PGService, models.PGDatabase, models.HBARule, models.EtcdMember,
    models.MinioMember, models.MinioBucket, models.RedisNode, models.RedisInstance,
], SecretsHidden)
