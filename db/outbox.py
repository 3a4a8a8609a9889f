"""The outbox: messages owed to people, stored with the change that causes them.

Enqueued in the caller's transaction, so "event cancelled" and "tell its 300 attendees" commit or
roll back together; a crash afterwards loses nothing, because the worker (bot/outbox.py) finds the
rows still pending. A unique key per notice makes a repeated enqueue (a redelivered update, a
second tap) a no-op, so nobody is told twice.

A claim is a lease. Each claimed row names its worker (`claimed_by`) and how long it holds the row
(`lease_until`); the worker renews the lease while it works (a 429 waited out, a slow answer), and
another worker takes the row over only once the lease has lapsed, that is once its holder died or
stalled. Settling checks the holder, so a worker whose row was taken over never overwrites the new
holder's record. A message is thus sent twice only when its sender died (or lost its lease)
between Telegram accepting it and the record.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import OutboxMessage, utcnow
from db.session import dialect_insert

PENDING, SENDING, SENT, BLOCKED, FAILED = "pending", "sending", "sent", "blocked", "failed"
MAX_ATTEMPTS = 5
# How long a claim holds without renewal: the longest a dead worker's messages wait for another.
LEASE = timedelta(seconds=30)


@dataclass(frozen=True)
class Letter:
    key: str
    chat_id: int
    text: str


@dataclass(frozen=True)
class Claimed:
    id: int
    chat_id: int
    text: str
    attempts: int
    batch: str | None
    report_to: int | None


async def enqueue(session: AsyncSession, letters: list[Letter], *, batch: str | None = None,
                  report_to: int | None = None) -> int:
    """Queue letters (skipping keys already queued); returns how many rows are queued under them."""
    if not letters:
        return 0
    insert = dialect_insert(session)
    now = utcnow()
    rows = [{"key": letter.key[:128], "chat_id": letter.chat_id, "text": letter.text, "status": PENDING,
             "attempts": 0, "not_before": now, "batch": batch, "report_to": report_to, "created_at": now}
            for letter in letters]
    await session.execute(insert(OutboxMessage).on_conflict_do_nothing(index_elements=["key"]), rows)
    return len(rows)


# Why attendees are told something; part of each notice's key.
# FORGOTTEN: an attendee erased their data (/forgetme) and their seats are free; told to the organiser.
CANCELLED, CHANGED, ANNOUNCEMENT, FORGOTTEN = "cancel", "change", "ann", "forget"


def notice_key(kind: str, event_id: int, update_id: int, user_id: int) -> str:
    """The de-duplication key of one notice. An event is cancelled once, so its notice is keyed by
    person alone; changes and announcements can repeat, and are keyed by the update that made them
    (a redelivery of that update adds nothing)."""
    if kind == CANCELLED:
        return f"{kind}:{event_id}:{user_id}"
    return f"{kind}:{event_id}:{update_id}:{user_id}"


async def notify_attendees(session: AsyncSession, kind: str, event_id: int, *, update_id: int,
                           letters: list[tuple[int, str]], report_to: int | None) -> int:
    """Queue (user_id, text) notices about an event in the caller's transaction, one per person, and
    a delivery report to `report_to` once they are all settled; returns how many people."""
    people = dict(letters)
    await enqueue(
        session,
        [Letter(notice_key(kind, event_id, update_id, uid), uid, text) for uid, text in people.items()],
        batch=f"{kind}:{event_id}:{update_id}",
        report_to=report_to,
    )
    return len(people)


async def claim(session: AsyncSession, *, worker: str, limit: int, lease: timedelta,
                now: datetime | None = None) -> list[Claimed]:
    """Take up to `limit` due messages for `worker`, each held for `lease`: pending ones whose time
    has come, and ones whose holder's lease lapsed (it died: at least once beats never). Another
    worker skips the rows we hold."""
    now = now or utcnow()
    rows = (await session.execute(
        select(OutboxMessage)
        .where(or_(and_(OutboxMessage.status == PENDING, OutboxMessage.not_before <= now),
                   and_(OutboxMessage.status == SENDING, OutboxMessage.lease_until < now)))
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )).scalars().all()
    for row in rows:
        row.status, row.attempts, row.not_before = SENDING, row.attempts + 1, now
        row.claimed_by, row.lease_until = worker, now + lease
    return [Claimed(r.id, r.chat_id, r.text, r.attempts, r.batch, r.report_to) for r in rows]


async def renew(session: AsyncSession, *, worker: str, lease: timedelta) -> set[int]:
    """Extend every lease `worker` still holds, in one statement; returns the ids it holds."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.claimed_by == worker, OutboxMessage.status == SENDING)
        .values(lease_until=utcnow() + lease)
        .returning(OutboxMessage.id)
    )
    return set(result.scalars().all())


async def release(session: AsyncSession, message_ids: list[int], *, worker: str) -> int:
    """Hand back claimed messages `worker` has not tried (due now, for any worker); returns how many."""
    if not message_ids:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.claimed_by == worker,
               OutboxMessage.status == SENDING)
        .values(status=PENDING, attempts=OutboxMessage.attempts - 1, not_before=utcnow(), lease_until=None)
    )
    return result.rowcount or 0


async def settle(session: AsyncSession, message_id: int, status: str, *, worker: str,
                 retry_at: datetime | None = None, batch: str | None = None) -> bool:
    """Record how a send went, if `worker` still holds the message; False when its lease was taken
    over (the new holder's record stands). With `batch`, settles of one batch are serialised
    (PostgreSQL; SQLite writers queue anyway), so whoever settles the last message sees all the
    others settled."""
    if batch is not None and session.bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(batch))))
    values: dict = {"status": status, "lease_until": None}
    if status == SENT:
        values["sent_at"] = utcnow()
    if retry_at is not None:
        values["not_before"] = retry_at
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker, OutboxMessage.status == SENDING)
        .values(**values)
    )
    return result.rowcount == 1


async def batch_result(session: AsyncSession, batch: str) -> tuple[int, int] | None:
    """(sent, total) once every message of the batch is settled; None while some are still owed."""
    rows = dict((await session.execute(
        select(OutboxMessage.status, func.count()).where(OutboxMessage.batch == batch).group_by(OutboxMessage.status)
    )).all())
    if rows.get(PENDING) or rows.get(SENDING):
        return None
    return rows.get(SENT, 0), sum(rows.values())


async def pending_count(session: AsyncSession) -> int:
    return (await session.execute(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status.in_([PENDING, SENDING]))
    )).scalar_one()
