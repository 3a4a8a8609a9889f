"""When a handler fails: the log gets the update and the traceback, the user an apology in their
language, and the operators' chat (OPERATOR_CHAT_ID) a report, at most one a minute per kind of error."""
from __future__ import annotations

import html
import logging
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.ext import Application, ApplicationHandlerStop
from telegram.helpers import effective_message_type

from db.users import get_language
from handlers.context import Context
from handlers.fallback import on_stale_button
from handlers.users import UserLookupFailed
from views.buttons import StaleButton
from views.operators import Failure, error_report
from views.texts import language_for, t

log = logging.getLogger(__name__)

REPORT_WINDOW = 60.0  # seconds: a kind of error is reported at most once in this long
ERROR_REPORTS = "error_reports"  # bot_data key of the application's ErrorReports

# A frame in one of these packages is our code; the kind of an error names the innermost such frame,
# not a library's or a test's.
_ROOT = Path(__file__).resolve().parent.parent
_OUR_PACKAGES = frozenset({"bot", "handlers", "views", "db", "images"})

Kind = tuple[str, str]  # (exception class, "file:line")


class ErrorReports:
    """When each kind of error was last reported and how many of it went unreported since.

    Process memory on purpose: a restart forgets it and at worst reports a kind once more. Kinds are
    bounded by the lines of our code that can fail, so the dicts stay small."""

    def __init__(self, window: float = REPORT_WINDOW, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self._reported_at: dict[Kind, float] = {}
        self._suppressed: dict[Kind, int] = {}

    def admit(self, kind: Kind) -> int | None:
        """None if this kind was reported less than a window ago (this one is counted instead);
        otherwise how many went unreported since the last report, and a new window starts."""
        now = self.clock()
        last = self._reported_at.get(kind)
        if last is not None and now - last < self.window:
            self._suppressed[kind] = self._suppressed.get(kind, 0) + 1
            return None
        self._reported_at[kind] = now
        return self._suppressed.pop(kind, 0)


def error_reports(application: Application) -> ErrorReports:
    return application.bot_data.setdefault(ERROR_REPORTS, ErrorReports())


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its update, tell the user something kind (never the internals), and
    report it to the operators' chat."""
    error = context.error
    if isinstance(error, UserLookupFailed):
        # The update ends here, with this one apology: no handler runs without knowing its user.
        context.lang = error.language
        await _failed(update, context, error.cause)
        raise ApplicationHandlerStop
    if isinstance(update, Update) and isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # A send or edit that timed out, or whose connection dropped, has often reached the user all
        # the same (Telegram answered after our timeout): an apology after the reply is worse than none.
        log.warning("a Bot API call failed while handling update %s, perhaps after it was delivered; "
                    "not apologising: %s", update.update_id, error)
        return
    if isinstance(update, Update):
        # PTB gives the error handler a fresh context: find the user's language again.
        context.lang = await _language(update, context)
    if isinstance(error, StaleButton) and isinstance(update, Update) and update.callback_query:
        try:
            await on_stale_button(update, context)
        except Exception:  # noqa: BLE001 - the stale answer itself failing must not loop
            log.exception("could not answer a stale button")
        return
    if isinstance(error, Forbidden):
        log.info("user blocked the bot: %s", error)
        return
    if isinstance(error, BadRequest) and "query is too old" in error.message.lower():
        log.info("callback query expired before we answered it")
        return
    await _failed(update, context, error)


async def _failed(update: object, context: Context, error: BaseException) -> None:
    """An unexpected failure: the log, the user's apology and the operators' report."""
    kind = error_kind(error)
    log.error("%s at %s while handling an update: %r", *kind, update if isinstance(update, Update) else None,
              exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        await _apologise(update, context)
    await _report(update, context, error, kind)


async def _language(update: Update, context: Context) -> str:
    """The language the user chose, else the one Telegram tells us (also when the database is what failed)."""
    user = update.effective_user
    if user is None:
        return context.lang
    telegram_language = language_for(user.language_code, context.settings.default_language)
    try:
        async with context.db.read() as session:
            return await get_language(session, user.id) or telegram_language
    except Exception:  # noqa: BLE001 - the database may be what failed
        return telegram_language


async def _apologise(update: Update, context: Context) -> None:
    lang = getattr(context, "lang", "en")
    try:
        # Handlers answer a tap first thing, and Telegram takes one answer per tap; when ours comes
        # too late (False), the apology goes to the chat instead.
        if update.callback_query and await update.callback_query.answer(t(lang, "error"), show_alert=True):
            return
        await context.bot.send_message(update.effective_chat.id, html.escape(t(lang, "error"), quote=False))
    except Exception:  # noqa: BLE001 - Telegram itself may be what failed
        log.warning("could not tell the user about the error", exc_info=True)


async def _report(update: object, context: Context, error: BaseException, kind: Kind) -> None:
    """One message to the operators' chat, unless this kind was reported within the window."""
    chat_id = context.settings.operator_chat_id
    if chat_id is None:
        return
    suppressed = error_reports(context.application).admit(kind)
    if suppressed is None:
        return
    try:
        text = error_report(context.settings.default_language, _failure(update, context, error, kind), suppressed)
        await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
    except Exception:  # noqa: BLE001 - Telegram down or a wrong chat: the error itself is logged above
        log.warning("could not report the error to the operators' chat %s", chat_id, exc_info=True)


def error_kind(error: BaseException) -> Kind:
    """The exception's class and the file:line of the innermost frame of our code in its traceback
    (of any code, when none of ours is in it)."""
    cls = type(error)
    name = cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    frames = traceback.TracebackException.from_exception(error).stack
    for frame in reversed(frames):
        try:
            relative = Path(frame.filename).resolve().relative_to(_ROOT)
        except ValueError:
            continue
        if relative.parts[0] in _OUR_PACKAGES:
            return name, f"{relative.as_posix()}:{frame.lineno}"
    if frames:
        return name, f"{Path(frames[-1].filename).name}:{frames[-1].lineno}"
    return name, "?"


def _traceback_text(error: BaseException) -> str:
    """The traceback, shorter to read in a chat: our files by their path in the project, and without
    the ^^^ lines under each call."""
    text = "".join(traceback.format_exception(error)).replace(f"{_ROOT}{os.sep}", "")
    return "\n".join(line for line in text.splitlines() if line.strip(" ^~"))


def _failure(update: object, context: Context, error: BaseException, kind: Kind) -> Failure:
    """What the report says, with the bot token scrubbed from every string that could hold it (an
    httpx error names the Bot API URL, and the URL holds the token)."""
    redact = context.settings.redact
    failure = Failure(error=kind[0], where=kind[1], traceback=redact(_traceback_text(error)))
    if not isinstance(update, Update):
        return failure
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    failure = replace(failure, update_id=update.update_id, chat_id=chat.id if chat else None,
                      user_id=user.id if user else None)
    if update.callback_query is not None:
        return replace(failure, button=redact(update.callback_query.data or ""))
    if message is not None and message.text and message.text.startswith("/"):
        return replace(failure, command=redact(message.text))
    if message is not None:
        return replace(failure, message=effective_message_type(message) or "?")
    return replace(failure, other=next((key for key in update.to_dict() if key != "update_id"), "?"))
