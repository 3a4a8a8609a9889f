"""/settings, /mydata and /forgetme: the language, a file of everything kept about the user, and
erasing it. What belongs to a user is decided in db/users.py; here it is only fetched and sent."""
from __future__ import annotations

from telegram import InputFile, Update

from db import booking, outbox, users
from db.session import DuplicateUpdate
from handlers.context import Context
from handlers.screens import show
from views import privacy
from views.buttons import AskForget, Forget, MyData, SettingsMenu


async def on_settings(update: Update, context: Context) -> None:
    await show(update, context, privacy.settings_menu(context.lang))


async def on_settings_menu(update: Update, context: Context) -> None:
    SettingsMenu.parse(update.callback_query.data)  # before answering: a forged one is answered once, as stale
    await update.callback_query.answer()
    await on_settings(update, context)


async def on_mydata(update: Update, context: Context) -> None:
    """Send everything stored about the user as a JSON file."""
    user_id = update.effective_user.id
    async with context.db.read() as session:
        data = await users.personal_data(session, user_id)
    # To the user's private chat even from a button in a group: the file is theirs alone.
    await context.bot.send_document(user_id,
                                    InputFile(privacy.mydata_json(data), filename=privacy.mydata_filename(user_id)),
                                    caption=privacy.mydata_caption(context.lang, data))


async def on_mydata_tap(update: Update, context: Context) -> None:
    MyData.parse(update.callback_query.data)
    await update.callback_query.answer()
    await on_mydata(update, context)


async def on_forgetme(update: Update, context: Context) -> None:
    """Ask first: what goes, and how many upcoming bookings will be cancelled."""
    async with context.db.read() as session:
        _, upcoming = await booking.user_bookings(session, update.effective_user.id, limit=0)
    await show(update, context, privacy.forget_ask(context.lang, upcoming))


async def on_ask_forget(update: Update, context: Context) -> None:
    AskForget.parse(update.callback_query.data)
    await update.callback_query.answer()
    await on_forgetme(update, context)


async def on_forget(update: Update, context: Context) -> None:
    """Erase the user: bookings cancelled and organisers told (outbox) in one transaction with the rest."""
    query = update.callback_query
    Forget.parse(query.data)
    user_id = query.from_user.id
    try:
        async with context.db.write(update_id=update.update_id) as session:
            result = await users.forget(session, user_id, default_language=context.settings.default_language)
            for notice in result.tell:
                await outbox.notify_attendees(session, outbox.FORGOTTEN, notice.event.id, update_id=update.update_id,
                                              letters=[(notice.organiser_id, privacy.organiser_letter(notice))],
                                              report_to=None)
    except DuplicateUpdate:  # a redelivered tap: it was done the first time
        result = None
    # The inbox keeps the updates' payloads (names and all); on SQLite it is a database of its own.
    async with context.db.queue() as session:
        await users.forget_updates(session, user_id, up_to=update.update_id)
    await query.answer()
    if result is not None and result.tell:
        context.wake_outbox()
    await show(update, context, privacy.forgotten(context.lang, result))
