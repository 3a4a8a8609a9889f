"""The booking rules, in one place: who may book which seat, how many, and who may cancel.

Every function here runs inside the caller's write transaction (`Database.write()`); none of them
commits. The partial unique index on bookings(seat_id) is what makes a seat sold once: a lost race
surfaces as an IntegrityError on insert and is reported as TAKEN.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.events import ACTIVE, has_started, is_open, not_started, occupying, seat_states
from db.models import Booking, BookingStatus, Event, Seat, User, utcnow


class Outcome(str, enum.Enum):
    BOOKED = "booked"
    ALREADY_YOURS = "already_yours"
    TAKEN = "taken"
    LIMIT = "limit"
    CLOSED = "closed"          # cancelled, finished or not published
    NOT_FOUND = "not_found"    # no such event, or the seat is not in it
    CANCELLED = "cancelled"
    NOT_YOURS = "not_yours"
    ALREADY_CANCELLED = "already_cancelled"
    PAST = "past"


@dataclass(frozen=True)
class BookResult:
    outcome: Outcome
    event: Event | None = None
    seat: Seat | None = None
    booking: Booking | None = None
    limit: int = 0


@dataclass(frozen=True)
class CancelResult:
    outcome: Outcome
    booking: Booking | None = None
    event: Event | None = None
    seat: Seat | None = None


@dataclass(frozen=True)
class BookingView:
    booking: Booking
    event: Event
    seat: Seat


# Built once with bind parameters (see db/events.py): these run on most booking taps.
_HELD = select(Booking.seat_id).where(
    Booking.user_id == bindparam("user_id"), Booking.event_id == bindparam("event_id"), Booking.status.in_(ACTIVE))
_HOLDER = select(Booking.user_id).where(Booking.seat_id == bindparam("seat_id"), occupying())  # partial index
_MINE = (Booking.user_id == bindparam("user_id"), Booking.status.in_(ACTIVE), not_started())
_MY_COUNT = select(func.count(Booking.id)).join(Event, Event.id == Booking.event_id).where(*_MINE)
_MY_PAGE = (
    select(Booking, Event, Seat)
    .join(Event, Event.id == Booking.event_id)
    .join(Seat, Seat.id == Booking.seat_id)
    .where(*_MINE)
    .order_by(Event.starts_at, Seat.row_index, Seat.number)
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)


async def _seats_held(session: AsyncSession, user_id: int, event_id: int) -> list[int]:
    return list((await session.execute(_HELD, {"user_id": user_id, "event_id": event_id})).scalars())


async def held_seats(session: AsyncSession, *, user_id: int, event_id: int) -> set[int]:
    """The seats the user holds at the event (drawn as theirs on the hall's picture)."""
    return set(await _seats_held(session, user_id, event_id))


async def check_seat(
    session: AsyncSession, *, user_id: int, event_id: int, seat_id: int, limit: int, now: datetime | None = None
) -> BookResult:
    """What would happen on booking this seat now, without booking it (for the confirmation step):
    the same answers book() gives, so nobody confirms a seat only to be refused."""
    event = await session.get(Event, event_id)
    if event is None:
        return BookResult(Outcome.NOT_FOUND)
    if not is_open(event, now):
        return BookResult(Outcome.CLOSED, event)
    seat = await session.get(Seat, seat_id)
    if seat is None or seat.event_id != event_id:
        return BookResult(Outcome.NOT_FOUND, event)
    holder = (await session.execute(_HOLDER, {"seat_id": seat_id})).scalar_one_or_none()
    if holder == user_id:
        return BookResult(Outcome.ALREADY_YOURS, event, seat)
    if holder is not None:
        return BookResult(Outcome.TAKEN, event, seat)
    if len(await _seats_held(session, user_id, event_id)) >= limit:
        return BookResult(Outcome.LIMIT, event, seat, limit=limit)
    return BookResult(Outcome.BOOKED, event, seat)


async def book(
    session: AsyncSession,
    *,
    user_id: int,
    event_id: int,
    seat_id: int,
    limit: int,
    now: datetime | None = None,
) -> BookResult:
    """Book one seat for the user, or say why not. The user row must exist."""
    now = now or utcnow()
    row = (
        await session.execute(
            select(Event, Seat)
            .join(Seat, Seat.event_id == Event.id)
            .where(Event.id == event_id, Seat.id == seat_id)
            # PostgreSQL: hold the event while booking, so an organiser cancelling it at this very
            # moment waits for us and then cancels this booking too (SQLite writers queue anyway).
            .with_for_update(read=True, of=Event)
        )
    ).first()
    if row is None:  # no such event, or a seat of another event: say which without booking anything
        event = await session.get(Event, event_id)
        return BookResult(Outcome.NOT_FOUND, event)
    event, seat = row
    if not is_open(event, now):
        return BookResult(Outcome.CLOSED, event)

    if session.bind.dialect.name != "sqlite":
        # Lock the user's row so one person's parallel taps can't slip past the limit. (SQLite
        # writers are already serialised by BEGIN IMMEDIATE.)
        await session.execute(select(User.id).where(User.id == user_id).with_for_update())
    mine = await _seats_held(session, user_id, event_id)
    if seat_id in mine:
        return BookResult(Outcome.ALREADY_YOURS, event, seat)
    if len(mine) >= limit:
        return BookResult(Outcome.LIMIT, event, seat, limit=limit)

    booking = Booking(
        user_id=user_id, event_id=event_id, seat_id=seat_id, status=BookingStatus.CONFIRMED.value,
        price_minor=event.price_minor, currency=event.currency, created_at=now, updated_at=now,
    )
    try:
        async with session.begin_nested():  # a savepoint: losing the race undoes only this insert
            session.add(booking)
    except IntegrityError:  # someone else's booking of this seat committed first
        return BookResult(Outcome.TAKEN, event, seat)
    return BookResult(Outcome.BOOKED, event, seat, booking)


async def cancel(
    session: AsyncSession, *, user_id: int, booking_id: int, now: datetime | None = None
) -> CancelResult:
    """Cancel the user's own booking of an event that has not started; the seat is free at once."""
    now = now or utcnow()
    row = (
        await session.execute(
            select(Booking, Event, Seat)
            .join(Event, Event.id == Booking.event_id)
            .join(Seat, Seat.id == Booking.seat_id)
            .where(Booking.id == booking_id)
            .with_for_update(of=Booking)
        )
    ).first()
    if row is None:
        return CancelResult(Outcome.NOT_FOUND)
    booking, event, seat = row
    if booking.user_id != user_id:
        return CancelResult(Outcome.NOT_YOURS)
    if booking.status == BookingStatus.CANCELLED.value:
        return CancelResult(Outcome.ALREADY_CANCELLED, booking, event, seat)
    if has_started(event, now):
        return CancelResult(Outcome.PAST, booking, event, seat)
    release([booking], now)
    return CancelResult(Outcome.CANCELLED, booking, event, seat)


def release(bookings: Iterable[Booking], now: datetime) -> int:
    """Cancel bookings, freeing their seats at once (the partial unique index covers active ones only).
    The one way a booking ends, whether its holder or the organiser ends it; returns how many."""
    count = 0
    for booking in bookings:
        booking.status = BookingStatus.CANCELLED.value
        booking.cancelled_at = booking.updated_at = now
        count += 1
    return count


async def best_seat(session: AsyncSession, event_id: int) -> int | None:
    """A good free seat: middle of the hall, a little behind the centre row, near the aisle centre."""
    seats = await seat_states(session, event_id)
    free = [s for s in seats if not s.taken]
    if not free:
        return None
    rows = max(s.row_index for s in seats) + 1
    widths: dict[int, int] = {}
    for s in seats:
        widths[s.row_index] = max(widths.get(s.row_index, 0), s.number)
    ideal_row = (rows - 1) * 0.45

    def score(s) -> tuple[float, int]:
        centre = (widths[s.row_index] + 1) / 2
        return (abs(s.row_index - ideal_row) * 1.5 + abs(s.number - centre), s.id)

    return min(free, key=score).id


async def user_bookings(
    session: AsyncSession, user_id: int, *, offset: int = 0, limit: int = 10, now: datetime | None = None
) -> tuple[list[BookingView], int]:
    """The user's active bookings of events that have not started, soonest first."""
    params = {"user_id": user_id, "now": now or utcnow()}
    count = (await session.execute(_MY_COUNT, params)).scalar_one()
    rows = await session.execute(_MY_PAGE, {**params, "offset": offset, "limit": limit})
    return [BookingView(b, e, s) for b, e, s in rows], count


async def cancellable(session: AsyncSession, *, user_id: int, booking_id: int) -> BookingView | None:
    """The user's own active booking, for the "cancel?" question; None for anything else (someone
    else's booking looks exactly like a missing one: nothing to learn from probing IDs)."""
    row = (
        await session.execute(
            select(Booking, Event, Seat)
            .join(Event, Event.id == Booking.event_id)
            .join(Seat, Seat.id == Booking.seat_id)
            .where(Booking.id == booking_id, Booking.user_id == user_id, Booking.status.in_(ACTIVE))
        )
    ).first()
    return BookingView(*row) if row else None


@dataclass(frozen=True)
class BookingTotals:
    made: int        # every booking ever made, whatever its status now
    cancelled: int   # of those, the ones cancelled (by the attendee, or with the event)


async def totals(session: AsyncSession) -> BookingTotals:
    """Bookings made and cancelled since the database began. Both only ever grow: cancelling changes a
    booking's status and keeps the row, and an event can be deleted only while nobody has booked it."""
    made, cancelled = (await session.execute(select(
        func.count(),
        func.coalesce(func.sum(case((Booking.status == BookingStatus.CANCELLED.value, 1), else_=0)), 0),
    ).select_from(Booking))).one()
    return BookingTotals(made, cancelled)
