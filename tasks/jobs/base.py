"""What a job kind is (validation, then named steps), the context steps log through, and the registry."""
import threading
from dataclasses import dataclass
from typing import Callable

from django.utils import timezone

from rdsconsole.redact import redact

_REGISTRY: dict[str, "JobKind"] = {}


class JobFailed(Exception):
    """A step failed: carries the node it failed on (if any) and a reason for the operator."""

    def __init__(self, reason: str, node: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.node = node


class JobCancelled(Exception):
    """The operator asked to cancel; raised between steps."""


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[["JobContext"], None]


class JobKind:
    """A kind of job. Subclasses set `name`, `mutating`, `capability` (what the requesting user must hold in the
    target's deployment: "operate" for routine day-2 jobs, "change" by default) and implement `validate()` and
    `steps()`."""

    name = ""
    mutating = True
    capability = "change"
    target_model = None

    def validate(self, target, params: dict) -> dict:
        """Refuse a bad request before any job exists: return {field: message} for each problem."""
        return {}

    def steps(self, ctx: "JobContext") -> list[Step]:
        raise NotImplementedError

    def secrets(self, target) -> list[str]:
        """Secret values that must never reach the job log."""
        return []

    def lock_key(self, target) -> str:
        if not self.mutating or target is None:
            return ""
        return f"{target._meta.label_lower}:{target.pk}"


def register(kind_class):
    kind = kind_class()
    _REGISTRY[kind.name] = kind
    return kind_class


def get_kind(name: str) -> JobKind:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown job kind {name!r}") from None


class JobContext:
    """Passed to every step: the job, its target, its params, a masked log, and a result dict."""

    def __init__(self, job, target, secrets=()):
        self.job = job
        self.target = target
        self.params = job.params
        self.result = dict(job.result or {})
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)
        self.changed = []
        self._lock = threading.Lock()
        self._seq = job.log_lines.order_by("-seq").values_list("seq", flat=True).first() or 0

    @property
    def secrets(self) -> list[str]:
        return list(self._secrets)

    def mask(self, text: str) -> str:
        """The job's declared secrets masked, then any secret-shaped text (a password in a connection string or
        a command line) the kind did not declare."""
        for secret in self._secrets:
            text = text.replace(secret, "********")
        return redact(text)

    def add_secret(self, value: str):
        if value and value not in self._secrets:
            self._secrets = sorted([*self._secrets, value], key=len, reverse=True)

    def log(self, text: str, node: str = "", level: str = "info"):
        from tasks.models import JobLogLine

        with self._lock:
            self._seq += 1
            JobLogLine.objects.create(job=self.job, seq=self._seq, level=level, node=str(node or ""),
                                      text=self.mask(str(text)))

    def note_change(self, what: str, node: str = ""):
        """Record that the job changed something on a node (for the idempotency report)."""
        self.changed.append(f"{node}: {what}" if node else what)
        self.log(f"changed: {what}", node=node)

    def check_cancelled(self):
        from tasks.models import Job

        if Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise JobCancelled()

    def set_progress(self, index: int, count: int, name: str):
        from tasks.models import Job

        Job.objects.filter(pk=self.job.pk).update(step_index=index, step_count=count, step_name=name,
                                                  heartbeat_at=timezone.now())
        self.job.step_index, self.job.step_count, self.job.step_name = index, count, name
