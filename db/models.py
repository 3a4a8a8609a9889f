"""The tables. Times are stored as UTC; an event keeps the time zone it is shown in."""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which has no zones) and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is expected")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class EventStatus(str, enum.Enum):
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class BookingStatus(str, enum.Enum):
    # Room to grow: HELD (a seat kept while paying), PAID, CHECKED_IN, REFUNDED.
    HELD = "held"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"


# Statuses that occupy a seat. The partial unique index below is built from this list, so a new
# occupying status needs a migration that rebuilds the index.
ACTIVE_BOOKING_STATUSES = (BookingStatus.HELD, BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)
_ACTIVE_SQL = "status IN ('held', 'confirmed', 'checked_in')"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # Telegram user ID
    first_name: Mapped[str] = mapped_column(String(128), default="")
    last_name: Mapped[str | None] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="ru")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or (self.username or str(self.id))


class Poster(Base):
    """One uploaded picture, already cut to every size the bot shows."""

    __tablename__ = "posters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_jpeg: Mapped[bytes] = mapped_column(LargeBinary)
    thumb_jpeg: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # Once Telegram has the picture we send its file_id instead of the bytes again.
    telegram_file_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(32), default="other")
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Almaty")
    price_minor: Mapped[int] = mapped_column(Integer, default=0)  # in minor units (tiyn, kopecks, cents)
    currency: Mapped[str] = mapped_column(String(3), default="KZT")
    poster_id: Mapped[int | None] = mapped_column(ForeignKey("posters.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.PUBLISHED.value)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    poster: Mapped[Poster | None] = relationship(lazy="raise")

    __table_args__ = (Index("ix_events_status_starts_at", "status", "starts_at"),)


class Seat(Base):
    __tablename__ = "seats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    row_index: Mapped[int] = mapped_column(Integer)  # 0-based, front row first
    row_label: Mapped[str] = mapped_column(String(8))
    number: Mapped[int] = mapped_column(Integer)  # 1-based within the row
    label: Mapped[str] = mapped_column(String(16))  # "B7"

    __table_args__ = (
        UniqueConstraint("event_id", "label", name="uq_seats_event_label"),
        Index("ix_seats_event_row_number", "event_id", "row_index", "number"),
    )


class Booking(Base):
    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    seat_id: Mapped[int] = mapped_column(ForeignKey("seats.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=BookingStatus.CONFIRMED.value)
    price_minor: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="KZT")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    seat: Mapped[Seat] = relationship(lazy="raise")
    event: Mapped[Event] = relationship(lazy="raise")

    __table_args__ = (
        # The rule "a seat is sold once" lives here, in the database, not in a check before insert.
        Index(
            "uq_bookings_active_seat",
            "seat_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        Index("ix_bookings_event_status", "event_id", "status"),
        Index("ix_bookings_user_status", "user_id", "status"),
    )


class ProcessedUpdate(Base):
    """Telegram update IDs whose effects are committed; written in the same transaction as the
    effect, so a redelivered update (webhook retry, a second handling after a crash) can't act twice."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class InboxBase(DeclarativeBase):
    """The inbox's own tables. On SQLite they live in a file of their own (db/session.py), so that
    storing an update never waits for the events database's write lock; on PostgreSQL they sit beside
    the rest. Created at start (Database.prepare_inbox) rather than migrated, since on SQLite they are
    not in the migrated file; a future change of their shape must be made there too (what they
    hold is transient: an empty inbox can simply be dropped and created again)."""

    metadata = MetaData(naming_convention=NAMING)


class InboxUpdate(InboxBase):
    """Every update Telegram delivered, stored before Telegram is told it arrived, then handled from
    here: a crash loses nothing, and a redelivery (same update_id) is a no-op."""

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Whose updates must run in order: the chat's ID, else the user's, else 0.
    chat_key: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict | None] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    __table_args__ = (
        # The work queue: what is left to handle, per chat, in order.
        Index("ix_inbox_pending", "chat_key", "update_id", sqlite_where=text("done_at IS NULL"),
              postgresql_where=text("done_at IS NULL")),
    )


class InboxChat(InboxBase):
    """Which worker is handling a chat's updates, and until when; one worker per chat at a time.
    A worker keeps its leases alive while it works; a dead worker's chats are taken over once theirs lapse."""

    __tablename__ = "inbox_chats"

    chat_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    worker: Mapped[str] = mapped_column(String(64))
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)


class EventDraft(Base):
    """An organiser's unfinished work, kept in the database so a restart or another bot process
    carries on where the admin was. kind "new": the /addevent wizard (data holds the answers so far);
    kind "edit": one field of a published event being changed, or an announcement being written.
    An admin has at most one of each; the "edit" one, when present, is the one their messages answer."""

    __tablename__ = "event_drafts"

    admin_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    step: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    poster_id: Mapped[int | None] = mapped_column(ForeignKey("posters.id", ondelete="SET NULL"))
    # Set once every field has an answer: after a change the admin goes back to the preview.
    reviewing: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OutboxMessage(Base):
    """A message owed to someone (event cancelled or moved, an announcement), written in the same
    transaction as the change that causes it and sent later, paced, by the outbox worker. The key
    makes enqueueing the same notice twice a no-op."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, sending, sent, blocked, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who asked for it, told "delivered N of M" when the whole batch is done.
    batch: Mapped[str | None] = mapped_column(String(64), index=True)
    report_to: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A claim is a lease: which worker sends the row and until when it holds it. The worker renews
    # the lease while it works; another takes the row only once it has lapsed (its holder died).
    # claimed_by stays after the row is settled: who sent it.
    claimed_by: Mapped[str | None] = mapped_column(String(96))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Both kinds of due row, 'pending' and past not_before or 'sending' and past its lease, are
    # found by status first; 'sending' rows are only the few in flight.
    __table_args__ = (Index("ix_outbox_status_not_before", "status", "not_before"),)


class LastSearch(Base):
    """A user's latest search, so its result pages can be turned: the query is free text (any
    script, up to 200 characters), which a button's 64 bytes of lowercase words can't carry.
    One row per user, replaced by each search, and gone with the user."""

    __tablename__ = "last_searches"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    query: Mapped[str] = mapped_column(String(200))
    searched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SeatMap(Base):
    """The hall's picture as everyone sees it (free and taken seats, the legend in one language), kept
    for the hall's current version: drawn once, uploaded once, then sent by Telegram's file_id. The
    version is a digest of what the picture shows (db/seatmaps.py), so any change to the hall (a
    booking, a cancellation, new seats) makes a new one and nothing has to remember to bump it."""

    __tablename__ = "seat_maps"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    png: Mapped[bytes] = mapped_column(LargeBinary)
    telegram_file_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Made by migration 0007 outside the models, as SQLAlchemy can't describe them: SQLite's FTS5 table
# (and the shadow tables FTS5 keeps for it) with the triggers keeping it in step with `events`, and
# PostgreSQL's GIN index over the events' text. Schema comparisons (Alembic's autogenerate, the
# schema tests) pass over them. A later migration that rebuilds `events` on SQLite (batch mode
# copies the table) drops the triggers with the old table and must create them again.
SEARCH_INDEX = "events_search"
SEARCH_SCHEMA_OBJECTS = frozenset({
    SEARCH_INDEX, *(f"{SEARCH_INDEX}_{shadow}" for shadow in ("data", "idx", "content", "docsize", "config")),
    "ix_events_search",
})


def in_models(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's include_name hook: everything but the search objects above."""
    return name not in SEARCH_SCHEMA_OBJECTS
