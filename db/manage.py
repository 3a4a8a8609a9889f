"""The organiser's rules over published events: their list, changing a field, cancelling, deleting,
the attendee list and its CSV, and who hears about a change. Free of Telegram; none of these commit.
"""
from __future__ import annotations

import csv
import enum
import io
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import drafts
from db.events import ACTIVE, EventSummary, _counts, add_seats, event_summary
from db.hall import parse_hall
from db.models import Booking, BookingStatus, Event, EventDraft, EventStatus, Poster, Seat, User, utcnow


class Outcome(str, enum.Enum):
    DONE = "done"
    NOT_FOUND = "not_found"
    HAS_BOOKINGS = "has_bookings"
    ALREADY_CANCELLED = "already_cancelled"
    PAST = "past"


@dataclass(frozen=True)
class Recipient:
    """One attendee to tell something, once, whatever number of seats they hold."""

    user_id: int
    language: str
    seats: tuple[str, ...]


@dataclass(frozen=True)
class CancelEventResult:
    outcome: Outcome
    event: Event | None = None
    recipients: list[Recipient] = field(default_factory=list)
    cancelled_bookings: int = 0


@dataclass(frozen=True)
class EditResult:
    event: Event
    field: str
    notify: list[Recipient]


@dataclass(frozen=True)
class Attendee:
    name: str
    username: str | None
    user_id: int
    seat: str
    booked_at: datetime


async def admin_events(session: AsyncSession, admin_id: int, *, offset: int, limit: int,
                       now: datetime | None = None) -> tuple[list[EventSummary], int]:
    """The admin's events (and those nobody owns, like the demo ones): upcoming first, soonest first."""
    now = now or utcnow()
    mine = or_(Event.created_by == admin_id, Event.created_by.is_(None))
    count = (await session.execute(select(func.count(Event.id)).where(mine))).scalar_one()
    total, taken = _counts()
    rows = await session.execute(
        select(Event, total, taken).where(mine)
        .order_by(case((Event.starts_at > now, 0), else_=1), Event.starts_at, Event.id)
        .offset(offset).limit(limit)
    )
    return [EventSummary(e, t or 0, k or 0) for e, t, k in rows], count


async def may_manage(session: AsyncSession, admin_id: int, event_id: int) -> bool:
    """The rule /myevents lists by: an event is managed by whoever created it, and events nobody owns
    (the demo ones) by any admin. A missing event passes: the handler then says it is gone."""
    owner = (await session.execute(select(Event.created_by).where(Event.id == event_id))).first()
    return owner is None or owner[0] in (admin_id, None)


async def recipients(session: AsyncSession, event_id: int) -> list[Recipient]:
    """Everyone holding an active booking of the event, one entry per person."""
    rows = await session.execute(
        select(Booking.user_id, User.language, Seat.label)
        .join(User, User.id == Booking.user_id)
        .join(Seat, Seat.id == Booking.seat_id)
        .where(Booking.event_id == event_id, Booking.status.in_(ACTIVE))
        .order_by(Booking.user_id, Seat.row_index, Seat.number)
    )
    by_user: dict[int, tuple[str, list[str]]] = {}
    for user_id, language, label in rows:
        by_user.setdefault(user_id, (language, []))[1].append(label)
    return [Recipient(uid, lang, tuple(seats)) for uid, (lang, seats) in by_user.items()]


async def cancel_event(session: AsyncSession, event_id: int, now: datetime | None = None) -> CancelEventResult:
    """Cancel the event and every active booking of it; returns whom to tell."""
    now = now or utcnow()
    event = (await session.execute(select(Event).where(Event.id == event_id).with_for_update())).scalar_one_or_none()
    if event is None:
        return CancelEventResult(Outcome.NOT_FOUND)
    if event.status == EventStatus.CANCELLED.value:
        return CancelEventResult(Outcome.ALREADY_CANCELLED, event)
    if event.starts_at <= now:
        return CancelEventResult(Outcome.PAST, event)
    tell = await recipients(session, event_id)
    event.status = EventStatus.CANCELLED.value
    event.updated_at = now
    bookings = (await session.execute(
        select(Booking).where(Booking.event_id == event_id, Booking.status.in_(ACTIVE)).with_for_update()
    )).scalars().all()
    for booking in bookings:
        booking.status = BookingStatus.CANCELLED.value
        booking.cancelled_at = now
        booking.updated_at = now
    return CancelEventResult(Outcome.DONE, event, tell, len(bookings))


async def booking_count(session: AsyncSession, event_id: int, active_only: bool = False) -> int:
    query = select(func.count(Booking.id)).where(Booking.event_id == event_id)
    if active_only:
        query = query.where(Booking.status.in_(ACTIVE))
    return (await session.execute(query)).scalar_one()


async def delete_event(session: AsyncSession, event_id: int) -> Outcome:
    """Delete an event nobody has ever booked (a booking, even cancelled, is history we keep)."""
    event = (await session.execute(select(Event).where(Event.id == event_id).with_for_update())).scalar_one_or_none()
    if event is None:
        return Outcome.NOT_FOUND
    if await booking_count(session, event_id):
        return Outcome.HAS_BOOKINGS
    poster_id = event.poster_id
    await session.execute(delete(Event).where(Event.id == event_id))  # seats and drafts go by ON DELETE CASCADE
    await session.flush()
    if poster_id is not None:
        await drafts.drop_poster_if_unused(session, poster_id)
    return Outcome.DONE


# --- changing one field of a published event (same questions and checks as the wizard) ---------------

async def start_edit(session: AsyncSession, admin_id: int, event_id: int, step: str) -> Outcome:
    """Make the admin's next message answer `step` (a field, or the announcement) for this event."""
    event = await session.get(Event, event_id)
    if event is None:
        return Outcome.NOT_FOUND
    if step == "hall" and await booking_count(session, event_id):  # cancelled ones are history too
        return Outcome.HAS_BOOKINGS
    draft = await drafts.get(session, admin_id, drafts.EDIT)
    if draft is None:
        draft = EventDraft(admin_id=admin_id, kind=drafts.EDIT, reviewing=False)
        session.add(draft)
    draft.step, draft.event_id, draft.data, draft.updated_at = step, event_id, {}, utcnow()
    await session.flush()
    return Outcome.DONE


async def apply_edit(session: AsyncSession, draft: EventDraft, value: drafts.Answer | Poster, *,
                     now: datetime | None = None) -> EditResult | None:
    """Apply the answer to the field being edited; raises drafts.Invalid (the edit stays open) when it
    doesn't fit. None when the event is gone."""
    # FOR UPDATE: a booking in flight (which holds the event FOR SHARE) finishes first, or waits.
    event = (await session.execute(
        select(Event).where(Event.id == draft.event_id).with_for_update())).scalar_one_or_none() if draft.event_id else None
    if event is None:
        await session.delete(draft)
        return None
    tz = event.timezone  # "19:00" means 19:00 where the event is shown, whatever TIMEZONE says today
    field_name = draft.step
    before = (event.starts_at, event.venue_name, event.venue_address)
    if field_name == "poster":
        if not isinstance(value, Poster):
            raise drafts.Invalid("poster", "upload expected")
        session.add(value)
        await session.flush()
        old, event.poster_id = event.poster_id, value.id
        await session.flush()
        if old is not None:
            await drafts.drop_poster_if_unused(session, old)
    else:
        if isinstance(value, Poster):
            raise drafts.Invalid(field_name, "text expected")
        values = drafts.read_answer(field_name, value, tz=tz, now=now)
        if field_name == "hall":
            # Any booking, cancelled ones too: replacing the seats would erase them from the history.
            if await booking_count(session, event.id):
                raise drafts.Invalid("hall", "booked")
            await session.execute(delete(Seat).where(Seat.event_id == event.id))
            await add_seats(session, event.id, parse_hall(values["hall"]))
        for key, item in values.items():
            if key == "starts_at":
                event.starts_at = datetime.fromisoformat(item)
            elif key != "hall":
                setattr(event, key, item)
    event.updated_at = now or utcnow()
    await session.delete(draft)
    await session.flush()
    changed = before != (event.starts_at, event.venue_name, event.venue_address)
    notify = await recipients(session, event.id) if changed and event.status == EventStatus.PUBLISHED.value else []
    return EditResult(event, field_name, notify)


# --- attendees -----------------------------------------------------------------------------------------

def _attendees_query(event_id: int):
    return (
        select(User, Seat.label, Booking.created_at)
        .join(User, User.id == Booking.user_id)
        .join(Seat, Seat.id == Booking.seat_id)
        .where(Booking.event_id == event_id, Booking.status.in_(ACTIVE))
        .order_by(Seat.row_index, Seat.number)
    )


async def attendees(session: AsyncSession, event_id: int, *, offset: int = 0,
                    limit: int | None = None) -> tuple[list[Attendee], int]:
    """Active bookings of the event in hall order, one line per seat, and how many in all."""
    count = await booking_count(session, event_id, active_only=True)
    query = _attendees_query(event_id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    rows = await session.execute(query)
    return [Attendee(u.display_name, u.username, u.id, label, at) for u, label, at in rows], count


def _cell(value: str) -> str:
    # A name starting with = + - @ would run as a formula when the file is opened in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


async def attendees_csv(session: AsyncSession, event_id: int, tz: str) -> bytes:
    """name, username, user ID, seat, booked at (ISO, the event's time zone): one row per booking."""
    from zoneinfo import ZoneInfo

    rows, _ = await attendees(session, event_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "username", "user_id", "seat", "booked_at"])
    for a in rows:
        writer.writerow([_cell(a.name), _cell(a.username or ""), a.user_id, a.seat,
                         a.booked_at.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8 names right


async def event_with_counts(session: AsyncSession, event_id: int) -> tuple[EventSummary, int] | None:
    """The event's summary and how many bookings it ever had (decides whether Delete is offered)."""
    summary = await event_summary(session, event_id)
    if summary is None:
        return None
    return summary, await booking_count(session, event_id)
