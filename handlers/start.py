"""/start (with deep links), /help, the main menu and the language switch."""
from __future__ import annotations

from telegram import Update

from db.users import set_language
from handlers.context import Context
from handlers.events import open_event
from handlers.screens import show
from views import attendee
from views.buttons import HelpMenu, LanguageMenu, LanguagePick, MainMenu, StaleButton
from views.links import event_from_start
from views.texts import LANGUAGES


async def on_start(update: Update, context: Context) -> None:
    """/start, or /start event_<id> from a shared link."""
    event_id = event_from_start(context.args[0]) if context.args else None
    if event_id is not None:
        await open_event(update, context, event_id)
        return
    await show(update, context, attendee.main_menu(context.lang, update.effective_user.first_name))


async def on_help(update: Update, context: Context) -> None:
    await show(update, context, attendee.help_screen(context.lang, context.settings.max_seats_per_user))


async def on_language(update: Update, context: Context) -> None:
    await show(update, context, attendee.language_menu(context.lang))


async def on_main_menu(update: Update, context: Context) -> None:
    MainMenu.parse(update.callback_query.data)  # before answering: a forged one is answered once, as stale
    await update.callback_query.answer()
    await show(update, context, attendee.main_menu(context.lang, update.effective_user.first_name))


async def on_help_menu(update: Update, context: Context) -> None:
    HelpMenu.parse(update.callback_query.data)
    await update.callback_query.answer()
    await on_help(update, context)


async def on_language_menu(update: Update, context: Context) -> None:
    LanguageMenu.parse(update.callback_query.data)
    await update.callback_query.answer()
    await on_language(update, context)


async def on_language_pick(update: Update, context: Context) -> None:
    query = update.callback_query
    button = LanguagePick.parse(query.data)
    if button.code not in LANGUAGES:
        raise StaleButton(query.data)
    async with context.db.write() as session:
        await set_language(session, query.from_user.id, button.code)
    context.lang = button.code
    screen = attendee.language_set(button.code)
    await query.answer(screen.text)
    await show(update, context, screen)
