"""Picking a seat from the hall keyboard, confirming, and booking it."""
from __future__ import annotations

import asyncio
from collections.abc import Collection

from telegram import Message, Update

from db import booking, events, seatmaps
from db.booking import BookResult, Outcome
from db.events import BookingState, SeatState
from db.seatmaps import SeatMapKey
from db.session import DuplicateUpdate
from handlers.context import Context
from handlers.events import open_event
from handlers.screens import show
from images import seatmap
from views import attendee, hall_picture, keyboards
from views.attendee import HallPicture
from views.buttons import BestSeat, ConfirmBooking, Noop, SeatMap, SeatPick, TakenSeat
from views.texts import t


async def show_hall(update: Update, context: Context, event_id: int, row_part: int = 0, col_part: int = 0,
                    notice: str = "", near_seat: int | None = None) -> None:
    """The seat keyboard as the database has it now; the card (which says why) when it can't be booked."""
    async with context.db.read() as session:
        summary = await events.event_summary(session, event_id)
        seats = await events.seat_states(session, event_id) if summary and summary.state is BookingState.OPEN else []
        mine = await booking.held_seats(session, user_id=update.effective_user.id, event_id=event_id) if seats else set()
    if summary is None or summary.state.closed:
        await open_event(update, context, event_id)
    elif summary.state is BookingState.SOLD_OUT:
        await show(update, context, attendee.sold_out(context.lang, event_id, notice))
    else:
        if near_seat is not None:
            row_part, col_part = keyboards.part_near(seats, near_seat)
        picture = await draw_hall(context, event_id, seats, mine)
        await show(update, context, attendee.seat_map(context.lang, summary, seats, row_part, col_part, notice,
                                                      picture))


def _tapped_on_a_picture(update: Update) -> bool:
    query = update.callback_query
    return bool(query and isinstance(query.message, Message) and query.message.photo)


async def draw_hall(context: Context, event_id: int, seats: list[SeatState], mine: Collection[int],
                    picked: int | None = None) -> HallPicture:
    """The hall's picture for this viewer. Everyone without seats of their own sees the same picture,
    drawn and uploaded once per version of the hall and then sent by file_id; a picture showing the
    viewer's own or picked seat is theirs alone, drawn for them each time (a cache keyed by viewer would
    hardly ever be hit twice)."""
    rows = hall_picture.rows(seats, mine, picked)
    legend = hall_picture.legend(context.lang)
    if mine or picked is not None:
        return HallPicture(await asyncio.to_thread(seatmap.render, rows, legend))
    key = SeatMapKey(event_id, context.lang, seatmaps.hall_version(seats))
    async with context.db.read() as session:
        photo = await seatmaps.seat_map_source(session, key)
    if photo is None:
        photo = await asyncio.to_thread(seatmap.render, rows, legend)  # Pillow: off the event loop
        async with context.db.write() as session:
            await seatmaps.store_seat_map(session, key, photo)
    return HallPicture(photo, key)


async def on_map(update: Update, context: Context) -> None:
    button = SeatMap.parse(update.callback_query.data)
    await update.callback_query.answer()
    await show_hall(update, context, button.event_id, button.row_part, button.col_part)


async def on_taken_seat(update: Update, context: Context) -> None:
    TakenSeat.parse(update.callback_query.data)  # a forged one is answered as stale, like any other
    await update.callback_query.answer(t(context.lang, "seat.taken_alert"))


async def on_noop(update: Update, context: Context) -> None:
    Noop.parse(update.callback_query.data)
    await update.callback_query.answer()


async def confirm_seat(update: Update, context: Context, event_id: int, seat_id: int | None) -> None:
    """The confirmation step: what booking this seat would give, asked before it is done."""
    if seat_id is None:  # nothing free any more
        await show_hall(update, context, event_id)
        return
    async with context.db.read() as session:
        result = await booking.check_seat(session, user_id=update.effective_user.id, event_id=event_id,
                                          seat_id=seat_id, limit=context.settings.max_seats_per_user)
    await render_outcome(update, context, event_id, result, confirming=True)


async def on_pick(update: Update, context: Context) -> None:
    button = SeatPick.parse(update.callback_query.data)
    await update.callback_query.answer()
    await confirm_seat(update, context, button.event_id, button.seat_id)


async def on_best(update: Update, context: Context) -> None:
    button = BestSeat.parse(update.callback_query.data)
    await update.callback_query.answer()
    async with context.db.read() as session:
        seat_id = await booking.best_seat(session, button.event_id)
    await confirm_seat(update, context, button.event_id, seat_id)


async def on_book(update: Update, context: Context) -> None:
    """✅ Confirm: book the seat, or explain why not with a fresh hall."""
    query = update.callback_query
    button = ConfirmBooking.parse(query.data)
    try:
        async with context.db.write(update_id=update.update_id) as session:
            result = await booking.book(session, user_id=query.from_user.id, event_id=button.event_id,
                                        seat_id=button.seat_id, limit=context.settings.max_seats_per_user)
    except DuplicateUpdate:  # Telegram delivered this tap again: show how things stand, change nothing
        await query.answer()
        await confirm_seat(update, context, button.event_id, button.seat_id)
        return
    await query.answer(attendee.booking_alert(context.lang, result))
    await render_outcome(update, context, button.event_id, result, confirming=False)


async def render_outcome(update: Update, context: Context, event_id: int, result: BookResult,
                         confirming: bool) -> None:
    lang = context.lang
    match result.outcome:
        case Outcome.BOOKED | Outcome.ALREADY_YOURS:
            # A second tap on Confirm (or Telegram delivering it twice) shows the same success again.
            picture = None
            if _tapped_on_a_picture(update):
                # The hall's picture stays, now marking the seat being confirmed, or (booked) showing it
                # among the user's own. A text message (an old hall, a link) stays text: edited, not resent.
                async with context.db.read() as session:
                    seats = await events.seat_states(session, event_id)
                    mine = await booking.held_seats(session, user_id=update.effective_user.id, event_id=event_id)
                picked = result.seat.id if confirming and result.outcome is Outcome.BOOKED else None
                picture = await draw_hall(context, event_id, seats, mine, picked)
            await show(update, context, attendee.booking_outcome(lang, result, confirming, picture))
        case Outcome.TAKEN:
            await show_hall(update, context, event_id, notice=t(lang, "taken", seat=result.seat.label),
                            near_seat=result.seat.id)
        case Outcome.LIMIT:
            await show(update, context, attendee.notice(lang, t(lang, "limit", limit=result.limit), event_id))
        case Outcome.CLOSED | Outcome.NOT_FOUND if result.event is not None:
            await show_hall(update, context, event_id, notice=t(lang, "stale"))
        case _:
            await open_event(update, context, event_id)
