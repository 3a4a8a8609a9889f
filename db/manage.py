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
from db.booking import release
from db.events import ACTIVE, BookingState, EventSummary, seat_counts, add_seats, event_summary, has_started, not_started
from db.hall import parse_hall
from db.models import Booking, BookingStatus, Event, EventDraft, EventStatus, Poster, Seat, User, utcnow
from db.users import is_person


class Outcome(str, enum.Enum):
    DONE = "done"
    NOT_FOUND = "not_found"
    HAS_BOOKINGS = "has_bookings"
    ALREADY_CANCELLED = "already_cancelled"
    PAST = "past"
    NOBODY = "nobody"      # an announcement to an event nobody holds a seat of
    STALE = "stale"        # an old button: the step it belongs to is over


class AdminAction(str, enum.Enum):
    """What an organiser may do with one of their events (the admin card's buttons)."""

    CHANGE = "change"
    ATTENDEES = "attendees"
    CSV = "csv"
    ANNOUNCE = "announce"
    CANCEL = "cancel"
    DELETE = "delete"


def admin_actions(summary: EventSummary, bookings_ever: int) -> frozenset[AdminAction]:
    """The one answer to "may the organiser do this now?", for the card and for every tap."""
    state = summary.state
    actions = {AdminAction.ATTENDEES, AdminAction.CSV}
    if state is not BookingState.CANCELLED:
        actions.add(AdminAction.CHANGE)
        if summary.taken_seats:
            actions.add(AdminAction.ANNOUNCE)
    if not state.closed:
        actions.add(AdminAction.CANCEL)
    if not bookings_ever:  # a booking, even a cancelled one, is history we keep
        actions.add(AdminAction.DELETE)
    return frozenset(actions)


@dataclass(frozen=True)
class ManagedEvent:
    """An event as its organiser sees it: the summary, its booking history and what may be done."""

    summary: EventSummary
    bookings_ever: int

    @property
    def event(self) -> Event:
        return self.summary.event

    @property
    def actions(self) -> frozenset[AdminAction]:
        return admin_actions(self.summary, self.bookings_ever)


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
    total, taken = seat_counts()
    rows = await session.execute(
        select(Event, total, taken).where(mine)
        .order_by(case((not_started(now), 0), else_=1), Event.starts_at, Event.id)
        .offset(offset).limit(limit)
    )
    return [EventSummary(e, t or 0, k or 0) for e, t, k in rows], count


async def may_manage(session: AsyncSession, admin_id: int, event_id: int) -> bool:
    """The rule /myevents lists by: an event is managed by whoever created it, and events nobody owns
    (the demo ones) by any admin. A missing event passes: the handler then says it is gone."""
    owner = (await session.execute(select(Event.created_by).where(Event.id == event_id))).first()
    return owner is None or owner[0] in (admin_id, None)


async def recipients(session: AsyncSession, event_id: int) -> list[Recipient]:
    """Everyone holding an active booking of the event, one entry per person (a forgotten user's kept
    bookings of a past event have nobody to tell)."""
    rows = await session.execute(
        select(Booking.user_id, User.language, Seat.label)
        .join(User, User.id == Booking.user_id)
        .join(Seat, Seat.id == Booking.seat_id)
        .where(Booking.event_id == event_id, Booking.status.in_(ACTIVE), is_person())
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
    if has_started(event, now):
        return CancelEventResult(Outcome.PAST, event)
    tell = await recipients(session, event_id)
    event.status = EventStatus.CANCELLED.value
    event.updated_at = now
    bookings = (await session.execute(
        select(Booking).where(Booking.event_id == event_id, Booking.status.in_(ACTIVE)).with_for_update()
    )).scalars().all()
    return CancelEventResult(Outcome.DONE, event, tell, release(bookings, now))


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
    managed = await managed_event(session, event_id)
    if managed is None:
        return Outcome.NOT_FOUND
    needed = AdminAction.ANNOUNCE if step == drafts.ANNOUNCE else AdminAction.CHANGE
    if needed not in managed.actions:  # an old button: the event was cancelled (or lost its attendees)
        return Outcome.STALE
    if step == "hall" and managed.bookings_ever:  # cancelled ones are history too
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


@dataclass(frozen=True)
class Answered:
    """What the admin's message did: moved their /addevent draft on, or changed a published event."""

    draft: EventDraft | None = None      # the /addevent draft, at its next step
    edited: bool = False
    edit: EditResult | None = None       # None after an edit: the event is gone


async def answer_draft(session: AsyncSession, draft: EventDraft | None, value: drafts.Answer | Poster | None, *,
                       tz: str, now: datetime | None = None) -> Answered:
    """The admin's message answers whatever their draft asks; raises drafts.Invalid (nothing changes)
    when it doesn't fit. A field of a published event is changed at once; an /addevent answer moves on."""
    if draft is None:
        return Answered()
    if value is None:  # a sticker, a voice message...
        raise drafts.Invalid(draft.step)
    if draft.kind == drafts.EDIT:
        return Answered(edited=True, edit=await apply_edit(session, draft, value, now=now))
    if isinstance(value, Poster):
        await drafts.set_poster(session, draft, value)
    else:
        await drafts.answer(session, draft, value, tz=tz, now=now)
    return Answered(draft)


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


async def managed_event(session: AsyncSession, event_id: int) -> ManagedEvent | None:
    summary = await event_summary(session, event_id)
    if summary is None:
        return None
    return ManagedEvent(summary, await booking_count(session, event_id))


# --- a message to every attendee: written, confirmed, sent once ---------------------------------------

@dataclass(frozen=True)
class Announcement:
    outcome: Outcome
    event: Event | None = None
    text_html: str = ""
    recipients: list[Recipient] = field(default_factory=list)


async def start_announcement(session: AsyncSession, admin_id: int, event_id: int) -> tuple[Outcome, ManagedEvent | None]:
    """Make the admin's next message the announcement; NOBODY when there is nobody to tell."""
    managed = await managed_event(session, event_id)
    if managed is None:
        return Outcome.NOT_FOUND, None
    if AdminAction.ANNOUNCE not in managed.actions:
        return Outcome.NOBODY, managed
    await start_edit(session, admin_id, event_id, drafts.ANNOUNCE)
    return Outcome.DONE, managed


async def write_announcement(session: AsyncSession, draft: EventDraft | None, text_html: str | None) -> Announcement:
    """Keep the admin's text (their formatting too) until they confirm; raises drafts.Invalid."""
    text_html = drafts.read_announcement(text_html)
    if draft is None or drafts.expects(draft) is not drafts.Expect.ANNOUNCEMENT:  # lapsed meanwhile
        return Announcement(Outcome.STALE)
    managed = await managed_event(session, draft.event_id) if draft.event_id else None
    if managed is None:
        await session.delete(draft)
        return Announcement(Outcome.NOT_FOUND)
    drafts.advance(draft, drafts.Move.TEXT)
    draft.data = {"text": text_html}
    return Announcement(Outcome.DONE, managed.event, text_html, await recipients(session, managed.event.id))


async def send_announcement(session: AsyncSession, admin_id: int, event_id: int) -> Announcement:
    """Take the confirmed announcement for sending (the draft goes, so a second tap sends nothing)."""
    draft = await drafts.get(session, admin_id, drafts.EDIT)
    if draft is None or draft.event_id != event_id or not drafts.accepts(draft, drafts.Move.SEND):
        return Announcement(Outcome.STALE)
    text_html = draft.data["text"]
    await session.delete(draft)
    managed = await managed_event(session, event_id)
    if managed is None:
        return Announcement(Outcome.NOT_FOUND)
    if AdminAction.ANNOUNCE not in managed.actions:  # cancelled, or nobody holds a seat any more
        return Announcement(Outcome.STALE)
    return Announcement(Outcome.DONE, managed.event, text_html, await recipients(session, event_id))
