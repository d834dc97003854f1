"""Building the strings that reach a remote shell, and masking secrets in what is shown to people.

Every argument is quoted with shlex.quote; callers join several built commands with shell operators
(`build("a") + " && " + build("b", x)`) but never interpolate a value into a command by hand.
"""
import shlex
from collections.abc import Iterable

MASK = "******"
KILL_AFTER = 5  # seconds between TERM and KILL when a remote command overruns its timeout


def build(*argv) -> str:
    """One shell command from an argument vector, each argument quoted ("a b" stays one argument)."""
    if not argv:
        raise ValueError("empty command")
    return " ".join(shlex.quote(str(arg)) for arg in argv)


def mask(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret, raw or in its shell-quoted form, with a mask."""
    forms = set()
    for secret in secrets:
        if secret:
            forms.update({secret, shlex.quote(secret)})
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


def wrap(command: str, *, timeout: float, sudo: bool = False, sudo_password: bool = False) -> str:
    """What is actually executed: `command` under a remote `timeout` (which kills its process group when
    it overruns), run through sudo when the login user is not root. With `sudo_password` sudo reads the
    password from the first stdin line, and always does (-k ignores cached credentials, so the password
    never reaches the command's stdin); otherwise it must not prompt (-n)."""
    inner = build("timeout", "-k", KILL_AFTER, f"{timeout:g}", "sh", "-c", command)
    if not sudo:
        return inner
    if sudo_password:
        return build("sudo", "-k", "-S", "-p", "", "--") + " " + inner
    return build("sudo", "-n", "--") + " " + inner
