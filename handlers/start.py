"""/start (with deep links), /help, the main menu and the language switch."""
from __future__ import annotations

from telegram import Update

from views import attendee as views
from views import buttons as callbacks
from views import keyboards
from handlers.context import Context
from views.texts import LANGUAGES, t
from db.users import set_language
from handlers.events import open_event
from handlers.screens import show

DEEP_LINK_EVENT = "event_"


async def on_start(update: Update, context: Context) -> None:
    """/start, or /start event_<id> from a shared link."""
    arg = context.args[0] if context.args else ""
    event_id = arg[len(DEEP_LINK_EVENT):]
    # Typed by hand it may be anything: "²" is a digit to isdigit(), 10**20 is no row ID.
    if arg.startswith(DEEP_LINK_EVENT) and event_id.isascii() and event_id.isdigit() and len(event_id) <= 10:
        await open_event(update, context, min(int(event_id), callbacks.MAX_ROW_ID), page=0)
        return
    await show(update, context, views.main_menu(context.lang, update.effective_user.first_name))


async def on_help(update: Update, context: Context) -> None:
    await show(update, context, views.help_screen(context.lang, context.settings.max_seats_per_user))


async def on_menu(update: Update, context: Context) -> None:
    query = update.callback_query
    cb = callbacks.parse(query.data)  # before answering: a forged one is answered once, as stale
    await query.answer()
    if cb.action == "help":
        await on_help(update, context)
    else:
        await on_start(update, context)


async def on_language(update: Update, context: Context) -> None:
    await show(update, context, views.Screen(t(context.lang, "language.choose"), keyboards.languages()))


async def on_language_tap(update: Update, context: Context) -> None:
    query = update.callback_query
    cb = callbacks.parse(query.data)
    if cb.action == "menu":
        await query.answer()
        await on_language(update, context)
        return
    if cb.code >= len(LANGUAGES):
        raise callbacks.StaleButton(query.data)
    lang = LANGUAGES[cb.code]
    async with context.db.write() as session:
        await set_language(session, query.from_user.id, lang)
    context.lang = lang
    await query.answer(t(lang, "language.set"))
    await show(update, context, views.Screen(t(lang, "language.set"), keyboards.main_menu(lang)))
