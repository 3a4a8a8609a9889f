"""What answers when nothing else does: unknown commands, stray messages, stale buttons, errors."""
from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden

from views import attendee as views
from views.buttons import StaleButton
from handlers.context import Context
from views.texts import t
from db.users import get_language
from handlers.screens import show

log = logging.getLogger(__name__)


async def on_unknown_command(update: Update, context: Context) -> None:
    await update.effective_message.reply_text(t(context.lang, "unknown_command"))


async def on_other_message(update: Update, context: Context) -> None:
    await update.effective_message.reply_text(t(context.lang, "unknown_text"))


async def on_stale_button(update: Update, context: Context) -> None:
    """Any button data we don't recognise: say so and show a fresh main menu."""
    query = update.callback_query
    await query.answer(t(context.lang, "stale_alert"))
    screen = views.main_menu(context.lang, query.from_user.first_name)
    screen.text = t(context.lang, "stale") + "\n\n" + screen.text
    await show(update, context, screen)


async def _language(update: Update, context: Context) -> str:
    user = update.effective_user
    if user is None:
        return context.lang
    try:
        async with context.db.read() as session:
            return await get_language(session, user.id) or context.lang
    except Exception:  # noqa: BLE001 - the database may be what failed
        return context.lang


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its update, tell the user something kind, never the internals."""
    error = context.error
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
    log.error("error while handling an update: %r", update if isinstance(update, Update) else None,
              exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    lang = getattr(context, "lang", "en")
    try:
        # Handlers answer a tap first thing, and Telegram takes one answer per tap; when ours comes
        # too late (False), the apology goes to the chat instead.
        if update.callback_query and await update.callback_query.answer(t(lang, "error"), show_alert=True):
            return
        await context.bot.send_message(update.effective_chat.id, html.escape(t(lang, "error"), quote=False))
    except Exception:  # noqa: BLE001 - Telegram itself may be what failed
        log.warning("could not tell the user about the error", exc_info=True)
