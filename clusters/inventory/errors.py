"""Problems found in an inventory, each located by file, cluster, host and field, and the error refusing it."""
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class InventoryError(Exception):
    """The inventory was refused whole; `.problems` lists every problem as {file, cluster, host, field, message}."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the inventory:\n" + "\n".join(map(format_problem, problems)))


def format_problem(problem: dict) -> str:
    """One line: `file: cluster pg-test, host 10.10.10.11, field pg_role: message`."""
    where = [f"{label} {problem[key]}" for key, label in (("cluster", "cluster"), ("host", "host"), ("field", "field"))
             if problem.get(key) not in (None, "")]
    return f"{problem['file']}: {', '.join(where) + ': ' if where else ''}{problem['message']}"


@dataclass(frozen=True)
class Where:
    """Where in the inventory an object came from, and how its model field names read in Pigsty."""

    cluster: str | None = None
    host: str | None = None
    prefix: str = ""
    names: dict = field(default_factory=dict)

    def field_name(self, model_field: str | None) -> str | None:
        if model_field in (None, NON_FIELD_ERRORS):
            return self.prefix.rstrip(".") or None
        return self.prefix + self.names.get(model_field, model_field)


class Problems:
    """Collects problems instead of stopping at the first one."""

    def __init__(self, filename: str):
        self.filename = filename
        self.items: list[dict] = []

    def __bool__(self):
        return bool(self.items)

    def add(self, message: str, where: Where = Where(), field_name: str | None = None):
        self.items.append({"file": self.filename, "cluster": where.cluster, "host": where.host,
                           "field": field_name, "message": message})

    def add_validation(self, exc: ValidationError, where: Where):
        """Map a model ValidationError (a message dict, or a plain list) onto located problems."""
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        for model_field, messages in errors.items():
            for message in messages:
                name, message = self._split_var_message(model_field, message)
                self.add(message, where, where.field_name(name))

    @staticmethod
    def _split_var_message(model_field: str, message: str) -> tuple[str, str]:
        """`secret_vars` errors read "key: message"; report them on the var itself."""
        if model_field.endswith("vars") and ": " in message:
            key, rest = message.split(": ", 1)
            return key, rest
        return model_field, message
