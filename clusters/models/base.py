"""Base class of every model whose changes go to the change log; it also validates on every save."""
from django.core.exceptions import ValidationError
from django.db import models


class ConflictError(ValidationError):
    """The object clashes with an existing one (a uniqueness rule): the API answers 409."""


class ChangeLoggedModel(models.Model):
    """Validated on save (so API, UI, admin, import and jobs share one set of rules) and change-logged."""

    created = models.DateTimeField(auto_now_add=True)
    last_updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

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
