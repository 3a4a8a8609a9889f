"""What answers when nothing else does: unknown commands, stray messages, stale buttons.
(Errors: handlers/errors.py.)"""
from __future__ import annotations

from telegram import Update

from handlers import search
from handlers.context import Context
from handlers.screens import show
from views import attendee
from views.screen import with_notice
from views.texts import t


async def on_unknown_command(update: Update, context: Context) -> None:
    await update.effective_message.reply_text(t(context.lang, "unknown_command"))


async def on_other_message(update: Update, context: Context) -> None:
    """Text is a search; anything else (a sticker, a photo) gets the usual reply."""
    if update.effective_message.text:
        await search.on_text(update, context)
        return
    await update.effective_message.reply_text(t(context.lang, "unknown_text"))


async def on_stale_button(update: Update, context: Context) -> None:
    """Any button data we don't recognise: say so and show a fresh main menu."""
    query = update.callback_query
    await query.answer(t(context.lang, "stale_alert"))
    screen = attendee.main_menu(context.lang, query.from_user.first_name)
    screen.text = with_notice(t(context.lang, "stale"), screen.text)
    await show(update, context, screen)
