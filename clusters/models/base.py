"""Base class of every model whose changes go to the change log; it also validates on every save."""
from django.core.exceptions import ValidationError
from django.db import models

from clusters import validators


class ConflictError(ValidationError):
    """The object clashes with an existing one (a uniqueness rule): the API answers 409."""


# Plain (unencrypted, shown by the API, change-logged in clear) JSON vars: secrets are refused there.
PLAIN_VARS_FIELDS = ("vars", "infra_vars")


class ChangeLoggedModel(models.Model):
    """Validated on save (so API, UI, admin, import and jobs share one set of rules) and change-logged."""

    created = models.DateTimeField(auto_now_add=True)
    last_updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        """Field validation, plus three rules for every model: no NUL character in any value (PostgreSQL cannot
        store one in text or jsonb), no secret in plain vars, and an object's deployment is fixed once created."""
        try:
            super().clean_fields(exclude)
            errors = {}
        except ValidationError as exc:
            errors = exc.error_dict
        for field in self._meta.concrete_fields:
            if field.name not in errors and validators.contains_nul(getattr(self, field.attname)):
                errors[field.name] = [ValidationError("must not contain a NUL character (\\u0000)", code="nul")]
        for name in PLAIN_VARS_FIELDS:
            if name not in errors and hasattr(self, name):
                secret = validators.secret_vars_in(getattr(self, name))
                if secret:
                    errors[name] = [ValidationError(
                        f"holds secret var(s) {', '.join(secret)}: put them in secret_vars, which is encrypted",
                        code="secret_in_plain_vars")]
        if "deployment" not in errors and self.deployment_changed():
            errors["deployment"] = [ValidationError(
                "cannot change once created: the nodes and members of the object belong to its deployment",
                code="deployment_fixed")]
        if errors:
            raise ValidationError(errors)

    def deployment_changed(self) -> bool:
        """True when a saved object with a `deployment` is being given another one."""
        if self.pk is None or not any(f.name == "deployment" for f in self._meta.concrete_fields):
            return False
        stored = type(self)._base_manager.filter(pk=self.pk).values_list("deployment_id", flat=True).first()
        return stored is not None and stored != self.deployment_id

    def save(self, *args, **kwargs):
        self.full_clean(validate_unique=False, validate_constraints=False)
        try:
            self.validate_unique()
            self.validate_constraints()
        except ValidationError as exc:
            raise ConflictError(exc.error_dict if hasattr(exc, "error_dict") else exc.messages) from None
        super().save(*args, **kwargs)


def vars_field(help_text="Pigsty vars this model has no column for; kept and exported again"):
    return models.JSONField(default=dict, blank=True, help_text=help_text)
