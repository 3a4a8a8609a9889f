"""Accounts: a Telegram user ID is the account; name and language follow what Telegram tells us."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import drafts
from db.booking import release
from db.events import ACTIVE, not_started
from db.models import Booking, Event, EventDraft, InboxUpdate, OutboxMessage, Seat, User, utcnow
from db.session import Database


@dataclass(frozen=True)
class Profile:
    """What Telegram tells about a user on every update; NUL (which PostgreSQL text can't hold) removed."""

    first_name: str
    last_name: str | None
    username: str | None

    @classmethod
    def clean(cls, first_name: str | None, last_name: str | None, username: str | None) -> Profile:
        first, last, user = (n.replace("\x00", "") if n else n for n in (first_name or "", last_name, username))
        return cls(first[:128], last, user)


# Built once (it runs on every update): SQLAlchemy reuses its cache key, and a plain connection
# skips the ORM session, whose set-up cost more than this one-row lookup.
_PROFILE = select(User.first_name, User.last_name, User.username, User.language).where(
    User.id == bindparam("user_id"))


async def remember(database: Database, user_id: int, profile: Profile, language: str) -> str:
    """Record who is writing (only when something Telegram tells us changed) and return the language
    to answer them in: the one they chose, else `language` for a new user."""
    async with database.engine.connect() as connection:
        row = (await connection.execute(_PROFILE, {"user_id": user_id})).first()
    if row is not None and Profile(*row[:3]) == profile:
        return row.language
    async with database.write() as session:
        stored = await upsert_user(session, user_id, first_name=profile.first_name, last_name=profile.last_name,
                                   username=profile.username, language=language)
        return stored.language


async def upsert_user(
    session: AsyncSession,
    user_id: int,
    *,
    first_name: str,
    last_name: str | None,
    username: str | None,
    language: str,
) -> User:
    """Create the user or refresh their name; the stored language is kept once chosen."""
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, first_name=first_name[:128], last_name=(last_name or None),
                    username=username, language=language)
        session.add(user)
    else:
        if (user.first_name, user.last_name, user.username) != (first_name[:128], last_name, username):
            user.first_name, user.last_name, user.username = first_name[:128], last_name, username
    await session.flush()
    return user


async def get_language(session: AsyncSession, user_id: int) -> str | None:
    return (await session.execute(select(User.language).where(User.id == user_id))).scalar_one_or_none()


async def set_language(session: AsyncSession, user_id: int, language: str) -> None:
    user = await session.get(User, user_id)
    if user is not None:
        user.language = language


# --- one's own data: what belongs to a user, and forgetting it --------------------------------------------

# Bookings outlive a forgotten user (they are the organisers' history), so they move to an account of
# their own with no name: its ID lies below any Telegram chat ID (user IDs are positive, group IDs are
# above -2**53), so nobody can be messaged through it and it leads back to no one.
ANONYMOUS_BELOW = -(2**53)
DELETED_NAME = "Deleted user"


def is_person():
    """SQL: the user is someone Telegram knows (not the nameless account a forgotten user's bookings kept)."""
    return User.id > ANONYMOUS_BELOW


@dataclass(frozen=True)
class Account:
    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class BookingRecord:
    id: int
    event_id: int
    event_title: str
    starts_at: datetime     # UTC; shown in event_timezone
    event_timezone: str
    venue: str
    seat: str
    status: str
    price_minor: int
    currency: str
    created_at: datetime
    cancelled_at: datetime | None


@dataclass(frozen=True)
class DraftRecord:
    kind: str
    step: str
    event_id: int | None
    data: dict
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class EventRecord:
    id: int
    title: str
    starts_at: datetime
    timezone: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class NoticeRecord:
    text: str
    status: str
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class PersonalData:
    """Everything stored about one user, as plain values: their account, bookings, drafts, the events
    they created and the messages queued to them. `account` is None for someone we don't know."""

    user_id: int
    account: Account | None
    bookings: list[BookingRecord]
    drafts: list[DraftRecord]
    events: list[EventRecord]
    notices: list[NoticeRecord]


async def personal_data(session: AsyncSession, user_id: int) -> PersonalData:
    """The one answer to "what do we hold about this user?" (/mydata); /forgetme erases the same."""
    user = await session.get(User, user_id)
    account = None if user is None else Account(user.id, user.first_name, user.last_name, user.username,
                                                user.language, user.created_at, user.updated_at)
    bookings = [
        BookingRecord(b.id, e.id, e.title, e.starts_at, e.timezone,
                      ", ".join(p for p in (e.venue_name, e.venue_address) if p), s.label, b.status,
                      b.price_minor, b.currency, b.created_at, b.cancelled_at)
        for b, e, s in await session.execute(
            select(Booking, Event, Seat).join(Event, Event.id == Booking.event_id).join(Seat, Seat.id == Booking.seat_id)
            .where(Booking.user_id == user_id).order_by(Booking.created_at, Booking.id))
    ]
    drafts_ = [DraftRecord(d.kind, d.step, d.event_id, dict(d.data or {}), d.created_at, d.updated_at)
               for d in (await session.execute(
                   select(EventDraft).where(EventDraft.admin_id == user_id).order_by(EventDraft.kind))).scalars()]
    events = [EventRecord(e.id, e.title, e.starts_at, e.timezone, e.status, e.created_at)
              for e in (await session.execute(
                  select(Event).where(Event.created_by == user_id).order_by(Event.starts_at, Event.id))).scalars()]
    notices = [NoticeRecord(m.text, m.status, m.created_at, m.sent_at)
               for m in (await session.execute(
                   select(OutboxMessage).where(OutboxMessage.chat_id == user_id).order_by(OutboxMessage.id))).scalars()]
    return PersonalData(user_id, account, bookings, drafts_, events, notices)


@dataclass(frozen=True)
class OrganiserNotice:
    """An organiser to tell that a forgotten user's seats of their event are free again (no name)."""

    organiser_id: int
    language: str
    event: Event
    seats: tuple[str, ...]


@dataclass(frozen=True)
class Forgotten:
    cancelled: int                      # future bookings cancelled, their seats free at once
    kept: int                           # past bookings kept, under no name, for the organisers' history
    tell: list[OrganiserNotice]


async def forget(session: AsyncSession, user_id: int, *, now: datetime | None = None,
                 default_language: str = "ru") -> Forgotten:
    """Erase the user, in the caller's transaction: their future bookings are cancelled (release(), as
    any cancellation), the rest move to a nameless account, their drafts and the messages owed to them
    go, and their account row is deleted, so their next update makes a new one from Telegram's data.
    Returns which organisers to tell (the caller queues the notices in the same transaction)."""
    now = now or utcnow()
    if session.bind.dialect.name != "sqlite":  # one person's parallel bookings wait for this (see book())
        await session.execute(select(User.id).where(User.id == user_id).with_for_update())
    future = (await session.execute(
        select(Booking, Event, Seat).join(Event, Event.id == Booking.event_id).join(Seat, Seat.id == Booking.seat_id)
        .where(Booking.user_id == user_id, Booking.status.in_(ACTIVE), not_started(now))
        .order_by(Event.id, Seat.row_index, Seat.number)
        .with_for_update(of=Booking)
    )).all()
    cancelled = release([b for b, _, _ in future], now)
    by_event: dict[int, tuple[Event, list[str]]] = {}
    for _, event, seat in future:
        if event.created_by is not None and event.created_by != user_id:
            by_event.setdefault(event.id, (event, []))[1].append(seat.label)
    languages = dict((await session.execute(
        select(User.id, User.language).where(User.id.in_(sorted({e.created_by for e, _ in by_event.values()})))
    )).all()) if by_event else {}
    tell = [OrganiserNotice(e.created_by, languages.get(e.created_by, default_language), e, tuple(seats))
            for e, seats in by_event.values()]

    kept = (await session.execute(select(func.count(Booking.id)).where(Booking.user_id == user_id))).scalar_one()
    if kept:
        anonymous = User(id=ANONYMOUS_BELOW - secrets.randbelow(2**60), first_name=DELETED_NAME, last_name=None,
                         username=None, language=default_language, created_at=now, updated_at=now)
        session.add(anonymous)
        await session.flush()
        await session.execute(update(Booking).where(Booking.user_id == user_id).values(user_id=anonymous.id))
    for draft in (await session.execute(select(EventDraft).where(EventDraft.admin_id == user_id))).scalars().all():
        await drafts.discard(session, draft)
    await session.execute(delete(OutboxMessage).where(OutboxMessage.chat_id == user_id))
    await session.execute(update(OutboxMessage).where(OutboxMessage.report_to == user_id).values(report_to=None))
    await session.execute(delete(User).where(User.id == user_id))
    return Forgotten(cancelled, kept - cancelled, tell)


async def forget_updates(session: AsyncSession, user_id: int, *, up_to: int) -> int:
    """Clear the stored payloads (names and all) of the user's updates in the inbox, in its own unit of
    work (Database.queue(): on SQLite the inbox is a file of its own). Updates after `up_to` are left
    to be handled: they are the user writing again (and are cleared as each is handled)."""
    result = await session.execute(
        update(InboxUpdate).where(InboxUpdate.chat_key == user_id, InboxUpdate.update_id <= up_to,
                                  InboxUpdate.payload.is_not(None))
        .values(payload=null()))
    return result.rowcount or 0
