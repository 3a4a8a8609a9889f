"""What the operators' chat (OPERATOR_CHAT_ID) reads when a handler fails: the kind of error, the update
it broke on, and the end of the traceback, HTML-escaped and within one message."""
from __future__ import annotations

from dataclasses import dataclass

from views.formatting import MESSAGE_LIMIT, esc
from views.texts import t

# The innermost frames and the error line are what an operator reads first; the log has the rest.
TRACEBACK_LINES = 12
TRACEBACK_CHARS = 1500
# A command's arguments may be a whole message long; its start says what was asked.
COMMAND_CHARS = 200


@dataclass(frozen=True)
class Failure:
    """An error as the error handler found it, every string already free of secrets."""

    error: str  # the exception's class
    where: str  # file:line of the innermost frame of our code
    traceback: str
    update_id: int | None = None  # None: it happened outside any update (a job)
    chat_id: int | None = None
    user_id: int | None = None
    # What the update was: one of these.
    command: str | None = None  # the command's text
    button: str | None = None  # the tapped button's data
    message: str | None = None  # a message's type: "text", "photo", "location" ...
    other: str | None = None  # another kind of update: "my_chat_member" ...


def error_report(lang: str, failure: Failure, suppressed: int = 0) -> str:
    """The report, under Telegram's 4096 characters however long the traceback or the command."""
    lines = [t(lang, "ops.error", error=esc(failure.error), where=esc(failure.where))]
    if failure.update_id is None:
        lines.append(t(lang, "ops.no_update"))
    else:
        lines.append(t(lang, "ops.update", update_id=failure.update_id, chat_id=_or_dash(failure.chat_id),
                       user_id=_or_dash(failure.user_id)))
        if failure.command is not None:
            lines.append(t(lang, "ops.command", text=fit(failure.command, COMMAND_CHARS)))
        elif failure.button is not None:
            lines.append(t(lang, "ops.button", data=fit(failure.button, COMMAND_CHARS)))
        elif failure.message is not None:
            lines.append(t(lang, "ops.message", kind=esc(failure.message)))
        elif failure.other is not None:
            lines.append(t(lang, "ops.other", kind=esc(failure.other)))
    if suppressed:
        lines.append(t(lang, "ops.suppressed", count=suppressed))
    head = "\n".join(lines) + "\n\n"
    room = min(TRACEBACK_CHARS, MESSAGE_LIMIT - len(head) - len("<pre></pre>"))
    return f"{head}<pre>{tail(failure.traceback, room)}</pre>"


def _or_dash(value: int | None) -> str:
    return "—" if value is None else str(value)


def fit(text: str, limit: int) -> str:
    """`text` HTML-escaped in at most `limit` characters, its end cut off (…) if need be. Cut character
    by character before escaping, so an entity like `&amp;` is never split."""
    escaped = esc(text)
    if len(escaped) <= limit:
        return escaped
    kept: list[str] = []
    used = 0
    for char in text:
        char = esc(char)
        if used + len(char) > limit - 1:
            break
        kept.append(char)
        used += len(char)
    return "".join(kept) + "…" if limit > 0 else ""


def tail(text: str, limit: int) -> str:
    """The last lines of `text` (at most TRACEBACK_LINES), escaped, in at most `limit` characters.
    When even the last line is too long, its start is kept: that is where the error's name is."""
    kept: list[str] = []
    used = 0
    for line in reversed(text.rstrip().splitlines()[-TRACEBACK_LINES:]):
        escaped = esc(line)
        if used + len(escaped) + (1 if kept else 0) > limit:
            if not kept:
                kept.append(fit(line, limit))
            break
        used += len(escaped) + (1 if kept else 0)
        kept.append(escaped)
    return "\n".join(reversed(kept))
