"""/mybookings: the user's upcoming seats, each with a cancel button that asks first."""
from __future__ import annotations

from functools import partial

from telegram import Update

from db import booking
from db.paging import clamped_page
from db.session import DuplicateUpdate
from handlers.context import Context
from handlers.screens import show
from views import attendee
from views.buttons import AskCancelBooking, CancelBooking, MyBookingsPage
from views.screen import Screen
from views.texts import t


async def bookings_screen(context: Context, user_id: int, page: int, notice: str = "") -> Screen:
    async with context.db.read() as session:
        found = await clamped_page(partial(booking.user_bookings, session, user_id), page, attendee.BOOKINGS_PER_PAGE)
    return attendee.my_bookings(context.lang, found.rows, found.number, found.count, notice)


async def on_mybookings(update: Update, context: Context) -> None:
    await show(update, context, await bookings_screen(context, update.effective_user.id, 0))


async def on_page(update: Update, context: Context) -> None:
    button = MyBookingsPage.parse(update.callback_query.data)
    await update.callback_query.answer()
    await show(update, context, await bookings_screen(context, update.effective_user.id, button.page))


async def on_ask_cancel(update: Update, context: Context) -> None:
    query = update.callback_query
    button = AskCancelBooking.parse(query.data)
    async with context.db.read() as session:
        view = await booking.cancellable(session, user_id=query.from_user.id, booking_id=button.booking_id)
    if view is None:  # someone else's booking looks exactly like a missing one
        await query.answer(t(context.lang, "stale_alert"))
        await show(update, context, await bookings_screen(context, query.from_user.id, button.page,
                                                          t(context.lang, "cancel.not_found")))
        return
    await query.answer()
    await show(update, context, attendee.cancel_ask(context.lang, view, button.page))


async def on_cancel(update: Update, context: Context) -> None:
    query = update.callback_query
    button = CancelBooking.parse(query.data)
    try:
        async with context.db.write(update_id=update.update_id) as session:
            result = await booking.cancel(session, user_id=query.from_user.id, booking_id=button.booking_id)
    except DuplicateUpdate:  # a redelivered tap: show the list as it is, change nothing
        await query.answer()
        await show(update, context, await bookings_screen(context, query.from_user.id, button.page))
        return
    await query.answer(attendee.cancel_alert(context.lang, result))
    await show(update, context, await bookings_screen(context, query.from_user.id, button.page,
                                                      attendee.cancel_notice(context.lang, result)))
