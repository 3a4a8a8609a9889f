"""Links into the bot: t.me/<bot>?start=event_<id> opens an event's card. Made and read here only."""
from __future__ import annotations

from views.buttons import MAX_ROW_ID

START_EVENT = "event_"


def event_link(bot_username: str | None, event_id: int) -> str | None:
    """The link that opens the event in the bot; None before the bot knows its own username."""
    return f"https://t.me/{bot_username}?start={START_EVENT}{event_id}" if bot_username else None


def event_from_start(argument: str) -> int | None:
    """The event a /start argument names, or None. Typed by hand it may be anything: "²" is a digit
    to str.isdigit(), and 10**20 is no row ID (clamped, so it reads as "not found")."""
    if not argument.startswith(START_EVENT):
        return None
    digits = argument[len(START_EVENT):]
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 10):
        return None
    return min(int(digits), MAX_ROW_ID)
