"""The hall's picture, cached: which version of it is current, and what to send for it.

The version is a digest of exactly what the common picture shows (each seat's row, number and whether
it is taken), computed from the seat states the hall screen reads anyway. So it changes with every
booking, cancellation (by the attendee or with the event) and hall edit without any of them writing
a counter: a counter on `events` would make every booking update the event row that book() holds
FOR SHARE, serialising the bookings of one event (and deadlocking two that upgrade at once). And a
hall that comes back to an earlier state (booked, then cancelled) finds its picture still there.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.events import SeatState
from db.models import SeatMap

# Older versions kept beside the current one: someone may still look at a hall opened a moment ago.
KEEP_VERSIONS = 2


@dataclass(frozen=True)
class SeatMapKey:
    event_id: int
    language: str
    version: str


def hall_version(seats: Iterable[SeatState]) -> str:
    digest = hashlib.sha1()
    for seat in seats:
        digest.update(f"{seat.row_index}:{seat.row_label}:{seat.number}:{int(seat.taken)};".encode())
    return digest.hexdigest()


def _row(key: SeatMapKey):
    return (SeatMap.event_id == key.event_id, SeatMap.language == key.language, SeatMap.version == key.version)


async def seat_map_source(session: AsyncSession, key: SeatMapKey) -> str | bytes | None:
    """Telegram's file_id of this version's picture once it has it, else the stored PNG, else None
    (not drawn yet)."""
    row = (await session.execute(select(SeatMap.telegram_file_id).where(*_row(key)))).first()
    if row is None:
        return None
    return row.telegram_file_id or await seat_map_png(session, key)


async def seat_map_png(session: AsyncSession, key: SeatMapKey) -> bytes | None:
    return (await session.execute(select(SeatMap.png).where(*_row(key)))).scalar_one_or_none()


async def store_seat_map(session: AsyncSession, key: SeatMapKey, png: bytes) -> None:
    """Keep a freshly drawn picture, and forget all but the newest few of the event's other versions.
    Two processes drawing the same version at once store it once."""
    try:
        async with session.begin_nested():
            session.add(SeatMap(event_id=key.event_id, language=key.language, version=key.version, png=png))
    except IntegrityError:
        return
    older = (await session.execute(
        select(SeatMap.version).where(SeatMap.event_id == key.event_id, SeatMap.language == key.language,
                                      SeatMap.version != key.version)
        .order_by(SeatMap.created_at.desc()).offset(KEEP_VERSIONS - 1))).scalars().all()
    if older:
        await session.execute(delete(SeatMap).where(
            SeatMap.event_id == key.event_id, SeatMap.language == key.language, SeatMap.version.in_(older)))


async def remember_seat_map_file_id(session: AsyncSession, key: SeatMapKey, file_id: str) -> None:
    await session.execute(update(SeatMap).where(*_row(key)).values(telegram_file_id=file_id))
