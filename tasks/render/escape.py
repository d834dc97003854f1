"""Quoting of values for the config formats rendered here (Jinja2 filters). Every filter refuses line breaks,
which would let a value start a new directive."""


def one_line(value) -> str:
    text = str(value)
    if "\n" in text or "\r" in text or "\0" in text:
        raise ValueError("a configuration value contains a line break (the value is not shown: it may be a password)")
    return text


def haproxy_quote(value) -> str:
    """An HAProxy argument in double quotes: backslash, double quote and $ (environment expansion) escaped."""
    text = one_line(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def userlist_quote(value) -> str:
    """A pgbouncer auth_file field: in double quotes, a double quote doubled."""
    return '"' + one_line(value).replace('"', '""') + '"'


def ini_value(value) -> str:
    """A value of pgbouncer.ini or pgbackrest.conf: one line, booleans as pgBackRest's y/n."""
    if isinstance(value, bool):
        return "y" if value else "n"
    return one_line(value).strip()


def ini_pairs(options: dict) -> str:
    """`key=value key=value`, pgBouncer's connection-string style; values may not contain spaces."""
    pairs = []
    for key, value in options.items():
        text = ini_value(value)
        if not text or any(c.isspace() for c in text) or "=" in text:
            raise ValueError(f"{key}: {text!r} cannot be written as a pgBouncer key=value option")
        pairs.append(f"{key}={text}")
    return " ".join(pairs)


FILTERS = {"line": one_line, "haproxy_quote": haproxy_quote, "userlist_quote": userlist_quote, "ini": ini_value, "ini_pairs": ini_pairs}
