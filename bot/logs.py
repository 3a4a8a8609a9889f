"""Logging set-up. Secrets are scrubbed from all records: the bot token is part of every Bot API URL,
and at DEBUG PTB logs each call's parameters (setWebhook's secret_token among them)."""
from __future__ import annotations

import logging
from collections.abc import Mapping

REDACTED = "<BOT_TOKEN>"

Secrets = Mapping[str, str]  # each secret -> the name it is shown as: {"123:AAE...": "BOT_TOKEN"}


def named_secrets(secrets: str | None | Secrets) -> dict[str, str]:
    """The non-empty secrets, longest first (so one that holds another is scrubbed whole); a plain
    string is the bot token."""
    if secrets is None or isinstance(secrets, str):
        secrets = {secrets or "": "BOT_TOKEN"}
    return {secret: name for secret, name in sorted(secrets.items(), key=lambda item: -len(item[0])) if secret}


def redact(text: str, secrets: str | None | Secrets) -> str:
    """`text` with every (non-empty) secret replaced by `<ITS_NAME>`; also used for operator reports."""
    for secret, name in named_secrets(secrets).items():
        text = text.replace(secret, f"<{name}>")
    return text


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: str | None | Secrets) -> None:
        super().__init__()
        self.secrets = named_secrets(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            record.msg, record.args = redact(message, self.secrets), None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if any(secret in text for secret in self.secrets):
                record.exc_info, record.exc_text = None, redact(text, self.secrets)
        return True


def setup(level: str, secrets: str | None | Secrets) -> None:
    """Log to stderr at `level`, with `secrets` (the bot token, or {secret: name}) scrubbed."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO, and the URL holds the token; keep it quiet besides.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
