"""Which members serve a service: Pigsty's instance selectors, a small JMESPath subset.

A selector is `[]` (every member) or `[? EXPR ]` where EXPR combines, with `||`, `&&` (binding tighter) and a
leading `!`, the terms `pg_role == \\`primary\\`` (or `!=`; roles primary, replica, offline), `pg_seq == \\`2\\``
and `pg_offline_query`. Anything else is refused with an error rather than guessed at."""
import re
from dataclasses import dataclass

TERM = re.compile(r"^(!?)\s*(?:(pg_role|pg_seq)\s*(==|!=)\s*`([^`]*)`|(pg_offline_query))$")
ROLES = ("primary", "replica", "offline")


class SelectorError(ValueError):
    """A selector outside the supported subset."""


@dataclass
class Server:
    instance: object
    backup: bool


def select(selector: str, instances: list) -> list:
    """The instances the selector picks, in the given order."""
    predicate = compile_selector(selector)
    return [i for i in instances if predicate(i)]


def servers(service: dict, instances: list) -> list[Server]:
    """A service's servers: the selected members, then members picked only by the `backup` selector; members
    picked by both are backups too (as Pigsty renders them)."""
    chosen = select(service.get("selector") or "[]", instances)
    backups = select(service["backup"], instances) if service.get("backup") else []
    result = [Server(i, i in backups) for i in chosen]
    return result + [Server(i, True) for i in backups if i not in chosen]


def compile_selector(selector: str):
    """A predicate on instances for the selector, or SelectorError."""
    text = " ".join(str(selector).split())
    if text.replace(" ", "") == "[]":
        return lambda instance: True
    match = re.fullmatch(r"\[\?(.*)\]", text)
    if not match or not match[1].strip():
        raise SelectorError(f"unsupported selector {selector!r}: expected [] or [? expression ]")
    alternatives = [[_term(t, selector) for t in part.split("&&")] for part in match[1].split("||")]
    return lambda instance: any(all(_holds(term, instance) for term in terms) for terms in alternatives)


def _term(text: str, selector: str) -> tuple:
    """(negated, field, operator, value) of one term, checked."""
    match = TERM.match(text.strip())
    if not match:
        raise SelectorError(f"unsupported term {text.strip()!r} in selector {selector!r}: use pg_role == `…`, "
                            f"pg_seq == `…` or pg_offline_query, with !, && and ||")
    negate, field, op, value, flag = match.groups()
    if flag:
        return bool(negate), "pg_offline_query", "==", True
    if field == "pg_role" and value not in ROLES:
        raise SelectorError(f"unknown pg_role {value!r} in selector {selector!r}")
    if field == "pg_seq":
        if not value.isdigit():
            raise SelectorError(f"pg_seq must be compared with a number in selector {selector!r}")
        value = int(value)
    return bool(negate), field, op, value


def _holds(term: tuple, instance) -> bool:
    negate, field, op, value = term
    actual = bool(getattr(instance, field)) if field == "pg_offline_query" else getattr(instance, field)
    result = actual == value if op == "==" else actual != value
    return not result if negate else result
