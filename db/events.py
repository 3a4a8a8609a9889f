"""Queries over events: the catalogue, one event's card, its hall."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.hall import Row
from db.models import ACTIVE_BOOKING_STATUSES, Booking, Event, EventStatus, Poster, Seat, utcnow

ACTIVE = [s.value for s in ACTIVE_BOOKING_STATUSES]
CATEGORIES = ("concert", "theatre", "comedy", "cinema", "tech", "kids", "sport", "other")


def occupying():
    """`bookings.status IN ('held', 'confirmed', 'checked_in')` with the values written into the SQL.

    The partial unique index uq_bookings_active_seat is the only index on bookings(seat_id), and
    SQLite uses a partial index only when the query repeats its WHERE term literally: with bound
    parameters (`IN (?, ?, ?)`, what `in_(ACTIVE)` sends) it scans the whole bookings table for
    every seat. Use this wherever bookings are looked up by seat."""
    return Booking.status.in_(bindparam("occupying_statuses", ACTIVE, expanding=True, literal_execute=True))


class BookingState(str, enum.Enum):
    """Whether an event can be booked now, and if not, why."""

    OPEN = "open"
    SOLD_OUT = "sold_out"
    STARTED = "started"        # it has begun (or is over): nothing to book or cancel any more
    CANCELLED = "cancelled"    # the organiser cancelled it

    @property
    def closed(self) -> bool:
        """No booking of this event can be made or changed by an attendee."""
        return self in (BookingState.STARTED, BookingState.CANCELLED)


def has_started(event: Event, now: datetime | None = None) -> bool:
    """The one definition of "too late": from the start time on, seats are neither booked nor released."""
    return event.starts_at <= (now or utcnow())


def not_started(now=None):
    """has_started() as SQL: events that have not begun at `now` (by default the statement's "now"
    bind parameter, so prebuilt statements take the time at run time)."""
    return Event.starts_at > (bindparam("now") if now is None else now)


def booking_state(event: Event, free_seats: int | None = None, now: datetime | None = None) -> BookingState:
    """Cancelled wins over started, started over sold out; `free_seats` None means "not counted"."""
    if event.status != EventStatus.PUBLISHED.value:
        return BookingState.CANCELLED
    if has_started(event, now):
        return BookingState.STARTED
    if free_seats == 0:
        return BookingState.SOLD_OUT
    return BookingState.OPEN


@dataclass(frozen=True)
class EventSummary:
    event: Event
    total_seats: int
    taken_seats: int
    poster_file_id: str | None = None

    @property
    def free_seats(self) -> int:
        return self.total_seats - self.taken_seats

    @property
    def state(self) -> BookingState:
        return booking_state(self.event, self.free_seats)


@dataclass(frozen=True)
class SeatState:
    id: int
    row_index: int
    row_label: str
    number: int
    label: str
    taken: bool


def seat_counts() -> tuple:
    total = select(func.count(Seat.id)).where(Seat.event_id == Event.id).correlate(Event).scalar_subquery()
    taken = (
        select(func.count(Booking.id))
        .where(Booking.event_id == Event.id, Booking.status.in_(ACTIVE))
        .correlate(Event)
        .scalar_subquery()
    )
    return total, taken


# The hottest statements are built once, with bind parameters: SQLAlchemy then reuses their cache
# key instead of rebuilding and hashing the whole statement on every update.
_TOTAL, _TAKEN = seat_counts()
_UPCOMING = (Event.status == EventStatus.PUBLISHED.value, not_started())
_UPCOMING_COUNT = select(func.count(Event.id)).where(*_UPCOMING)
_UPCOMING_PAGE = (
    select(Event, _TOTAL, _TAKEN)
    .where(*_UPCOMING)
    .order_by(Event.starts_at, Event.id)
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)
_SUMMARY = (
    select(Event, _TOTAL, _TAKEN, Poster.telegram_file_id)
    .outerjoin(Poster, Poster.id == Event.poster_id)
    .where(Event.id == bindparam("event_id"))
)


WHEN = ("all", "today", "weekend", "week")
ALL = "all"


@dataclass(frozen=True)
class EventFilter:
    """What /events shows: when (all, today, this weekend, this week), one category or all, free only.
    Anything else (a forged or outdated button) reads as "all"."""

    when: str = ALL
    category: str = ALL
    free: bool = False

    def __post_init__(self) -> None:
        if self.when not in WHEN:
            object.__setattr__(self, "when", ALL)
        if self.category not in CATEGORIES:
            object.__setattr__(self, "category", ALL)

    @property
    def narrowed(self) -> bool:
        return self != EventFilter()


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    # The start of that day where the bot lives (a day whose midnight the clocks skip starts at 01:00).
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def time_window(when: str, now: datetime, tz: str) -> tuple[datetime, datetime | None]:
    """[from, until) in UTC for `when`, counted in the bot's time zone: today runs to midnight, the
    week to Monday's midnight (weeks start on Monday), the weekend is Saturday and Sunday (what is
    left of it, on a Saturday or Sunday)."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    monday_next = today + timedelta(days=7 - today.weekday())
    if when == "today":
        return now, _local_midnight(today + timedelta(days=1), zone)
    if when == "week":
        return now, _local_midnight(monday_next, zone)
    if when == "weekend":
        saturday = monday_next - timedelta(days=2)
        return max(now, _local_midnight(saturday, zone)), _local_midnight(monday_next, zone)
    return now, None


def matching(event_filter: EventFilter, now: datetime, tz: str) -> list:
    """The rule "which events does /events show under this filter", as SQL conditions over stored
    UTC times: published, not started, within the filter's window, category and price."""
    start, until = time_window(event_filter.when, now, tz)
    conditions = [Event.status == EventStatus.PUBLISHED.value, not_started(start)]
    if until is not None:
        conditions.append(Event.starts_at < until)
    if event_filter.category != ALL:
        conditions.append(Event.category == event_filter.category)
    if event_filter.free:
        conditions.append(Event.price_minor == 0)
    return conditions


async def upcoming_page(
    session: AsyncSession, *, offset: int, limit: int, now: datetime | None = None,
    event_filter: EventFilter | None = None, tz: str = "UTC",
) -> tuple[list[EventSummary], int]:
    """One page of upcoming published events (those the filter lets through), soonest first, and
    how many there are in all."""
    now = now or utcnow()
    if event_filter is None or not event_filter.narrowed:
        total_count = (await session.execute(_UPCOMING_COUNT, {"now": now})).scalar_one()
        rows = await session.execute(_UPCOMING_PAGE, {"now": now, "offset": offset, "limit": limit})
    else:
        conditions = matching(event_filter, now, tz)
        total_count = (await session.execute(select(func.count(Event.id)).where(*conditions))).scalar_one()
        rows = await session.execute(
            select(Event, _TOTAL, _TAKEN).where(*conditions).order_by(Event.starts_at, Event.id)
            .offset(offset).limit(limit))
    return summaries(rows), total_count


def summaries(rows) -> list[EventSummary]:
    return [EventSummary(event, t or 0, k or 0) for event, t, k in rows]


async def event_summary(session: AsyncSession, event_id: int) -> EventSummary | None:
    row = (await session.execute(_SUMMARY, {"event_id": event_id})).first()
    if row is None:
        return None
    event, t, k, file_id = row
    return EventSummary(event, t or 0, k or 0, file_id)


def is_open(event: Event, now: datetime | None = None) -> bool:
    """Bookings of it can be made or changed: published and not yet started."""
    return not booking_state(event, now=now).closed


_SEAT_STATES = (
    select(Seat.id, Seat.row_index, Seat.row_label, Seat.number, Seat.label, Booking.id.is_not(None))
    .outerjoin(Booking, and_(Booking.seat_id == Seat.id, occupying()))
    .where(Seat.event_id == bindparam("event_id"))
    .order_by(Seat.row_index, Seat.number)
)


async def seat_states(session: AsyncSession, event_id: int) -> list[SeatState]:
    rows = await session.execute(_SEAT_STATES, {"event_id": event_id})
    return [SeatState(*row) for row in rows]


class PosterPicture(Protocol):
    """A checked, cut poster (images.posters.Processed), whatever made it."""

    card_jpeg: bytes
    thumb_jpeg: bytes
    width: int
    height: int


def new_poster(picture: PosterPicture) -> Poster:
    """The row for a processed upload (not yet added to a session)."""
    return Poster(card_jpeg=picture.card_jpeg, thumb_jpeg=picture.thumb_jpeg, width=picture.width,
                  height=picture.height)


async def poster_source(session: AsyncSession, poster_id: int | None,
                        file_id: str | None = None) -> str | bytes | None:
    """What to send as the poster: Telegram's file_id once it has the picture, else the JPEG bytes
    (read only then: a card is a few hundred KB)."""
    if poster_id is None:
        return None
    if file_id is None:
        file_id = (await session.execute(
            select(Poster.telegram_file_id).where(Poster.id == poster_id))).scalar_one_or_none()
    return file_id or await poster_bytes(session, poster_id)


async def poster_bytes(session: AsyncSession, poster_id: int) -> bytes | None:
    return (await session.execute(select(Poster.card_jpeg).where(Poster.id == poster_id))).scalar_one_or_none()


async def remember_poster_file_id(session: AsyncSession, poster_id: int, file_id: str) -> None:
    poster = await session.get(Poster, poster_id)
    if poster is not None and poster.telegram_file_id != file_id:
        poster.telegram_file_id = file_id


async def create_event(
    session: AsyncSession,
    *,
    title: str,
    description: str,
    category: str,
    venue_name: str,
    venue_address: str,
    starts_at: datetime,
    timezone: str,
    price_minor: int,
    currency: str,
    hall: list[Row],
    created_by: int | None = None,
    poster: Poster | None = None,
) -> Event:
    event = Event(
        title=title, description=description, category=category, venue_name=venue_name,
        venue_address=venue_address, starts_at=starts_at, timezone=timezone, price_minor=price_minor,
        currency=currency, created_by=created_by, status=EventStatus.PUBLISHED.value,
    )
    if poster is not None:
        session.add(poster)
        await session.flush()
        event.poster_id = poster.id
    session.add(event)
    await session.flush()
    await add_seats(session, event.id, hall)
    return event


async def add_seats(session: AsyncSession, event_id: int, hall: list[Row]) -> None:
    seats = [
        {"event_id": event_id, "row_index": i, "row_label": row.label, "number": n, "label": f"{row.label}{n}"}
        for i, row in enumerate(hall)
        for n in range(1, row.seats + 1)
    ]
    if seats:
        await session.execute(Seat.__table__.insert(), seats)
