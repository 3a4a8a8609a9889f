"""/mybookings: the user's upcoming seats, each with a cancel button that asks first."""
from __future__ import annotations

from telegram import Update

from views import attendee as views
from views import buttons as callbacks
from handlers.context import Context
from views.texts import t
from db import booking
from db.booking import Outcome
from db.session import DuplicateUpdate
from handlers.screens import show


async def bookings_screen(context: Context, user_id: int, page: int, notice: str = "") -> views.Screen:
    per_page = views.BOOKINGS_PER_PAGE
    async with context.db.read() as session:
        rows, count = await booking.user_bookings(session, user_id, offset=page * per_page, limit=per_page)
        if not rows and count and page > 0:
            page = views.pages(count, per_page) - 1
            rows, count = await booking.user_bookings(session, user_id, offset=page * per_page, limit=per_page)
    screen = views.my_bookings(context.lang, rows, page, count, views.MESSAGE_LIMIT - len(notice) - 2)
    if notice:
        screen.text = notice + "\n\n" + screen.text
    return screen


async def on_mybookings(update: Update, context: Context) -> None:
    await show(update, context, await bookings_screen(context, update.effective_user.id, 0))


async def on_page(update: Update, context: Context) -> None:
    query = update.callback_query
    cb = callbacks.parse(query.data)
    await query.answer()
    await show(update, context, await bookings_screen(context, query.from_user.id, cb.page))


async def on_ask_cancel(update: Update, context: Context) -> None:
    query = update.callback_query
    cb = callbacks.parse(query.data)
    async with context.db.read() as session:
        view = await booking.cancellable(session, user_id=query.from_user.id, booking_id=cb.booking_id)
    if view is None:
        await query.answer(t(context.lang, "stale_alert"))
        await show(update, context, await bookings_screen(context, query.from_user.id, cb.page,
                                                          t(context.lang, "cancel.not_found")))
        return
    await query.answer()
    await show(update, context, views.cancel_ask(context.lang, view, cb.page))


async def on_cancel(update: Update, context: Context) -> None:
    query = update.callback_query
    cb = callbacks.parse(query.data)
    try:
        async with context.db.write(update_id=update.update_id) as session:
            result = await booking.cancel(session, user_id=query.from_user.id, booking_id=cb.booking_id)
    except DuplicateUpdate:  # a redelivered tap: show the list as it is, change nothing
        await query.answer()
        await show(update, context, await bookings_screen(context, query.from_user.id, cb.page))
        return
    lang = context.lang
    if result.outcome is Outcome.CANCELLED:
        await query.answer(t(lang, "cancel.done_alert"))
        notice = t(lang, "cancel.done", seat=result.seat.label, title=views.esc(result.event.title))
    else:
        # Someone else's booking ID looks exactly like a missing one, as in on_ask_cancel.
        missing = result.outcome in (Outcome.NOT_FOUND, Outcome.NOT_YOURS)
        await query.answer(t(lang, "stale_alert") if missing else None)
        notice = t(lang, {
            Outcome.PAST: "cancel.past",
            Outcome.ALREADY_CANCELLED: "cancel.already",
        }.get(result.outcome, "cancel.not_found"))
    await show(update, context, await bookings_screen(context, query.from_user.id, cb.page, notice))
