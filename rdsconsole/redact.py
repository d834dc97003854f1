"""Masking secrets that travel inside free text: exception messages of psycopg, paramiko, pgBackRest or our own
code, log records, job errors, API error bodies. Known secret values are masked where they are known (job kinds
declare theirs); this catches the shapes a secret has when nobody declared it: credentials in a URL, `password=…`
pairs of connection strings, command lines and environments, `"password": …` in reprs and JSON, Authorization
headers, private key blocks."""
import logging
import re

MASK = "******"

# names whose value is a secret: password, PGPASSWORD, pg_admin_password, repo1-s3-key-secret, cipher-pass, token…
_SECRET_NAME = r"[\w.-]*(?:passw(?:or)?d|secret|token|passphrase|cipher[_-]pass|api[_-]?key|access[_-]key)[\w.-]*"
_PATTERNS = [
    # -----BEGIN OPENSSH PRIVATE KEY----- … -----END OPENSSH PRIVATE KEY----- (or cut short)
    (re.compile(r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----.*?(?:-----END \1PRIVATE KEY-----|\Z)", re.S),
     f"-----BEGIN \\1PRIVATE KEY-----{MASK}-----END \\1PRIVATE KEY-----"),
    # scheme://user:password@host
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)\S+@", re.I), f"\\1{MASK}@"),
    # Authorization: Token|Bearer|Basic <credential>
    (re.compile(r"(\bauthorization[\"']?\s*[:=]\s*[\"']?(?:token|bearer|basic)\s+)[^\s\"',;]+", re.I), f"\\1{MASK}"),
    # password=value, --repo1-s3-key-secret=value, PGPASSWORD='value'
    (re.compile(rf"(\b{_SECRET_NAME}\s*=\s*)(?:'[^']*'|\"[^\"]*\"|[^\s'\",;&)]+)", re.I), f"\\1{MASK}"),
    # "password": "value", 'secret': 'value' (JSON, Python reprs; a bare `password: …` is more often a message)
    (re.compile(rf"(([\"'])\b{_SECRET_NAME}\2\s*:\s*)(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[^\s,}}\]]+)", re.I),
     f"\\1{MASK}"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_data(data):
    """`redact` applied to every string of a JSON-like value (an API error body)."""
    if isinstance(data, str):
        masked = redact(data)
        return data if masked == data else masked
    if isinstance(data, dict):
        return {key: redact_data(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [redact_data(item) for item in data]
    return data


class RedactingFilter(logging.Filter):
    """A handler filter: the record's message, traceback and stack are redacted before any formatter sees them."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg, record.args = redact(record.getMessage()), None
        except (TypeError, ValueError):
            pass  # arguments that do not fit the message: the handler reports that as it always does
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
