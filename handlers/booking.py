"""Picking a seat from the hall keyboard, confirming, and booking it."""
from __future__ import annotations

from telegram import Update

from views import attendee as views
from views import buttons as callbacks
from views import keyboards
from handlers.context import Context
from views.texts import t
from db import booking, events
from db.booking import Outcome
from db.session import DuplicateUpdate
from handlers.events import open_event
from handlers.screens import show


async def hall_screen(context: Context, event_id: int, row_part: int = 0, col_part: int = 0,
                      notice: str = "", near_seat: int | None = None) -> views.Screen | None:
    """The seat keyboard as the database has it now; None when the event can't be booked."""
    async with context.db.read() as session:
        summary = await events.event_summary(session, event_id)
        if summary is None or not events.is_open(summary.event):
            return None
        if summary.free_seats == 0:
            return views.notice(context.lang, (notice + "\n\n" if notice else "") + t(context.lang, "seats.none_free"),
                                event_id)
        seats = await events.seat_states(session, event_id)
    if near_seat is not None:
        row_part, col_part = keyboards.part_near(seats, near_seat)
    return views.seat_map(context.lang, summary, seats, row_part, col_part, notice)


async def show_hall(update: Update, context: Context, event_id: int, row_part: int = 0, col_part: int = 0,
                    notice: str = "", near_seat: int | None = None) -> None:
    screen = await hall_screen(context, event_id, row_part, col_part, notice, near_seat)
    if screen is None:  # gone, cancelled or started: the card explains which
        await open_event(update, context, event_id, page=0)
        return
    await show(update, context, screen)


async def on_map(update: Update, context: Context) -> None:
    query = update.callback_query
    cb = callbacks.parse(query.data)
    await query.answer()
    await show_hall(update, context, cb.event_id, cb.row_part, cb.col_part)


async def on_taken_seat(update: Update, context: Context) -> None:
    callbacks.parse(update.callback_query.data)  # a forged one is answered as stale, like any other
    await update.callback_query.answer(t(context.lang, "seat.taken_alert"))


async def on_noop(update: Update, context: Context) -> None:
    callbacks.parse(update.callback_query.data)
    await update.callback_query.answer()


async def _confirm(update: Update, context: Context, event_id: int, seat_id: int | None) -> None:
    if seat_id is None:
        await show_hall(update, context, event_id)
        return
    async with context.db.read() as session:
        result = await booking.check_seat(session, user_id=update.effective_user.id,
                                          limit=context.settings.max_seats_per_user,
                                          event_id=event_id, seat_id=seat_id)
    await render_outcome(update, context, event_id, result, confirming=True)


async def on_pick(update: Update, context: Context) -> None:
    query = update.callback_query
    cb = callbacks.parse(query.data)
    await query.answer()
    await _confirm(update, context, cb.event_id, cb.seat_id)


async def on_best(update: Update, context: Context) -> None:
    query = update.callback_query
    cb = callbacks.parse(query.data)
    await query.answer()
    async with context.db.read() as session:
        seat_id = await booking.best_seat(session, cb.event_id)
    await _confirm(update, context, cb.event_id, seat_id)


async def on_book(update: Update, context: Context) -> None:
    """✅ Confirm: book the seat, or explain why not with a fresh hall."""
    query = update.callback_query
    cb = callbacks.parse(query.data)
    try:
        async with context.db.write(update_id=update.update_id) as session:
            result = await booking.book(session, user_id=query.from_user.id, event_id=cb.event_id,
                                        seat_id=cb.seat_id, limit=context.settings.max_seats_per_user)
    except DuplicateUpdate:
        # Telegram delivered this tap again: show how things stand, change nothing.
        await query.answer()
        await _confirm(update, context, cb.event_id, cb.seat_id)
        return
    if result.outcome is Outcome.TAKEN:
        await query.answer(t(context.lang, "taken_alert", seat=result.seat.label))
    else:
        await query.answer()
    await render_outcome(update, context, cb.event_id, result, confirming=False)


async def render_outcome(update: Update, context: Context, event_id: int, result: booking.BookResult,
                         confirming: bool) -> None:
    lang = context.lang
    match result.outcome:
        case Outcome.BOOKED if confirming:
            await show(update, context, views.confirm(lang, result.event, result.seat))
        case Outcome.BOOKED:
            await show(update, context, views.booked(lang, result.event, result.seat))
        case Outcome.TAKEN:
            await show_hall(update, context, event_id, notice=t(lang, "taken", seat=result.seat.label),
                            near_seat=result.seat.id)
        case Outcome.ALREADY_YOURS:
            # A second tap on Confirm (or Telegram delivering it twice) shows the same success again.
            await show(update, context, views.booked(lang, result.event, result.seat))
        case Outcome.LIMIT:
            await show(update, context, views.notice(lang, t(lang, "limit", limit=result.limit), event_id))
        case Outcome.CLOSED | Outcome.NOT_FOUND if result.event is not None:
            await show_hall(update, context, event_id, notice=t(lang, "stale"))
        case _:
            await open_event(update, context, event_id, page=0)
