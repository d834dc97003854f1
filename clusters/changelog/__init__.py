"""The change log: every create/update/delete of a change-logged model is recorded with who, when, source,
and before → after (secrets masked). Recording happens in model signals, so API, UI, admin, import and jobs
all share it; the caller only sets the context (user and source)."""
