"""Jobs: kinds of operation (a list of named steps), launching them (refused before any work when the
spec is bad or the target is busy) and running them in a Celery worker with a log and progress."""
from .base import JobContext, JobFailed, JobKind, Step, get_kind, register
from .launch import JobConflict, cancel, launch

__all__ = ["JobContext", "JobFailed", "JobKind", "Step", "get_kind", "register", "JobConflict", "cancel", "launch"]
