"""Admin pages for every model of the clusters app; secrets are write-only (never shown back)."""
from django import forms
from django.contrib import admin

from clusters import models


class SecretWidget(forms.PasswordInput):
    """Never renders the stored value; leaving it empty keeps the stored secret."""

    def __init__(self, attrs=None):
        super().__init__(attrs, render_value=False)


class CredentialForm(forms.ModelForm):
    secret = forms.CharField(widget=SecretWidget, required=False, help_text="leave empty to keep the stored one")
    passphrase = forms.CharField(widget=SecretWidget, required=False)

    class Meta:
        model = models.Credential
        fields = ["name", "kind", "username", "secret", "passphrase"]

    def clean_secret(self):
        value = self.cleaned_data["secret"]
        if not value and self.instance.pk:
            return self.instance.secret
        if not value:
            raise forms.ValidationError("a private key or password is required")
        return value

    def clean_passphrase(self):
        return self.cleaned_data["passphrase"] or (self.instance.passphrase if self.instance.pk else "")


@admin.register(models.Credential)
class CredentialAdmin(admin.ModelAdmin):
    form = CredentialForm
    list_display = ["name", "kind", "username"]


class SecretVarsExcluded(admin.ModelAdmin):
    exclude = ["secret_vars"]


@admin.register(models.Deployment)
class DeploymentAdmin(SecretVarsExcluded):
    list_display = ["name", "description"]
    search_fields = ["name"]


@admin.register(models.Node)
class NodeAdmin(admin.ModelAdmin):
    list_display = ["ip", "hostname", "deployment", "status", "checked_at"]
    list_filter = ["deployment", "status"]
    search_fields = ["ip", "hostname"]


class PGInstanceInline(admin.TabularInline):
    model = models.PGInstance
    extra = 0


@admin.register(models.PGCluster)
class PGClusterAdmin(SecretVarsExcluded):
    list_display = ["name", "deployment", "pg_version", "pg_rto", "pg_rpo", "pg_conf"]
    list_filter = ["deployment"]
    inlines = [PGInstanceInline]


@admin.register(models.PGUser)
class PGUserAdmin(admin.ModelAdmin):
    exclude = ["password"]
    list_display = ["name", "cluster"]


@admin.register(models.MinioUser)
class MinioUserAdmin(admin.ModelAdmin):
    exclude = ["secret_key"]
    list_display = ["access_key", "cluster", "policy"]


@admin.register(models.EtcdCluster, models.MinioCluster)
class ModuleClusterAdmin(SecretVarsExcluded):
    list_display = ["name", "deployment"]


@admin.register(models.RedisCluster)
class RedisClusterAdmin(admin.ModelAdmin):
    exclude = ["secret_vars", "redis_sentinel_monitor"]
    list_display = ["name", "deployment", "redis_mode"]


@admin.register(models.ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    list_display = ["time", "user_name", "source", "action", "content_type", "object_repr"]
    list_filter = ["source", "action", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register([
    models.InfraNode, models.PGInstance, models.PGService, models.PGDatabase, models.HBARule, models.EtcdMember,
    models.MinioMember, models.MinioBucket, models.RedisNode, models.RedisInstance,
])
