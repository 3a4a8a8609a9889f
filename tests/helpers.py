"""Small helpers shared by the attendee-journey tests: posters, database look-ups, keyboard checks."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from PIL import Image
from sqlalchemy import select, update

from views.buttons import parse
from db.models import Booking, Event, Seat, User
from db.session import Database
from tests.driver import User as Tg

ACTIVE = ("held", "confirmed", "checked_in")


def poster_png(color: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (400, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


async def seats_of(db: Database, event_id: int) -> dict[str, int]:
    """{'A1': seat id, ...} for an event."""
    async with db.read() as session:
        rows = await session.execute(select(Seat.label, Seat.id).where(Seat.event_id == event_id))
        return dict(rows.all())


async def active_bookings(db: Database, event_id: int | None = None) -> list[tuple[int, int, str]]:
    """(user id, seat id, seat label) of every active booking, optionally of one event."""
    async with db.read() as session:
        query = (select(Booking.user_id, Booking.seat_id, Seat.label)
                 .join(Seat, Seat.id == Booking.seat_id).where(Booking.status.in_(ACTIVE)))
        if event_id is not None:
            query = query.where(Booking.event_id == event_id)
        return [tuple(r) for r in (await session.execute(query.order_by(Booking.id))).all()]


async def all_bookings(db: Database) -> list[tuple[int, int, int, str]]:
    """(booking id, user id, seat id, status) of every booking row, active or not."""
    async with db.read() as session:
        rows = await session.execute(select(Booking.id, Booking.user_id, Booking.seat_id, Booking.status)
                                     .order_by(Booking.id))
        return [tuple(r) for r in rows.all()]


async def booking_ids(db: Database, user_id: int) -> list[int]:
    async with db.read() as session:
        rows = await session.execute(select(Booking.id).where(Booking.user_id == user_id).order_by(Booking.id))
        return list(rows.scalars())


async def stored_language(db: Database, user_id: int) -> str | None:
    async with db.read() as session:
        return (await session.execute(select(User.language).where(User.id == user_id))).scalar_one_or_none()


async def move_event(db: Database, event_id: int, starts_at: datetime) -> None:
    async with db.write() as session:
        await session.execute(update(Event).where(Event.id == event_id).values(starts_at=starts_at))


def past(hours: float = 2) -> datetime:
    return datetime.now(timezone.utc) - timedelta(hours=hours)


async def book_seat(tg: Tg, event_id: int, seat_id: int) -> None:
    """Pick a seat and confirm it, through the buttons as a user would (from any message of theirs)."""
    if not tg.api.chat(tg.id):
        await tg.send("/start")
    await tg.tap(data=f"st:pick:{event_id}:{seat_id}")
    await tg.tap(data=next(b["callback_data"] for b in tg.buttons() if b["callback_data"].startswith("bk:ok:")))


def keyboard(message: dict) -> list[list[dict]]:
    return message.get("reply_markup", {}).get("inline_keyboard", [])


def hall(message: dict) -> tuple[dict[str, str], dict[str, int]]:
    """A hall keyboard as a user reads it: ({'A1': pick data of each free seat}, {'A': taken marks in row A})."""
    free: dict[str, str] = {}
    taken: dict[str, int] = {}
    for row in keyboard(message):
        if not row or row[0].get("callback_data") != "st:noop":
            continue
        label = row[0]["text"]
        for button in row[1:]:
            data = button.get("callback_data", "")
            if data.startswith("st:pick:"):
                free[label + button["text"]] = data
            elif data.startswith("st:taken:"):
                assert button["text"] == "·"
                taken[label] = taken.get(label, 0) + 1
    return free, taken


def pick_data(message: dict) -> list[str]:
    return [b["callback_data"] for row in keyboard(message) for b in row
            if b.get("callback_data", "").startswith("st:pick:")]


def assert_telegram_limits(message: dict) -> None:
    assert_keyboard_limits(keyboard(message))


def assert_keyboard_limits(rows: list[list[dict]]) -> None:
    """What Telegram accepts in an inline keyboard, and our own button data always parses."""
    assert sum(len(r) for r in rows) <= 100, "over 100 buttons"
    for row in rows:
        assert 1 <= len(row) <= 8, f"a row of {len(row)} buttons"
        for button in row:
            assert button["text"].strip(), "an empty button label"
            if "callback_data" in button:
                assert len(button["callback_data"].encode()) <= 64
                parse(button["callback_data"])
