"""The inbox: updates as Telegram delivered them, stored before they are acknowledged and handled from
here, each chat's in order, one worker per chat at a time. Free of Telegram: an update is its
update_id, the key of the chat it belongs to, and its JSON.

Every function runs inside the caller's unit of work on the inbox's tables and never commits
(Database.queue_read()/queue()).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import InboxChat, InboxUpdate, utcnow
from db.session import dialect_insert

LEASE = timedelta(seconds=30)   # a chat claimed by a worker that stopped renewing is free again after this
KEEP = timedelta(days=2)        # handled updates are remembered this long (Telegram redelivers for a day)


@dataclass(frozen=True)
class Delivered:
    update_id: int
    chat_key: int
    payload: dict


@dataclass(frozen=True)
class Backlog:
    pending: int
    oldest_received_at: datetime | None


async def store(session: AsyncSession, updates: list[Delivered], now: datetime | None = None) -> None:
    """Keep a batch of updates (one statement); one already stored (a redelivery) is left as it is."""
    if not updates:
        return
    now = now or utcnow()
    rows = [{"update_id": u.update_id, "chat_key": u.chat_key, "payload": u.payload, "received_at": now}
            for u in updates]
    await session.execute(dialect_insert(session)(InboxUpdate).on_conflict_do_nothing(index_elements=["update_id"]), rows)


async def claim_chat(session: AsyncSession, chat_key: int, worker: str, now: datetime | None = None) -> bool:
    """Take the chat for this worker, unless another worker holds a live lease on it."""
    now = now or utcnow()
    insert = dialect_insert(session)(InboxChat).values(chat_key=chat_key, worker=worker, lease_until=now + LEASE)
    result = await session.execute(insert.on_conflict_do_update(
        index_elements=["chat_key"],
        set_={"worker": worker, "lease_until": now + LEASE},
        where=(InboxChat.lease_until < now) | (InboxChat.worker == worker),
    ))
    return result.rowcount == 1


async def renew_leases(session: AsyncSession, worker: str, chat_keys: list[int], now: datetime | None = None) -> int:
    """Keep the chats this worker is handling (called while it works, so a slow update keeps its chat)."""
    result = await session.execute(
        update(InboxChat).where(InboxChat.worker == worker, InboxChat.chat_key.in_(chat_keys))
        .values(lease_until=(now or utcnow()) + LEASE))
    return result.rowcount or 0


async def release_chat(session: AsyncSession, chat_key: int, worker: str) -> None:
    await session.execute(delete(InboxChat).where(InboxChat.chat_key == chat_key, InboxChat.worker == worker))


async def holders(session: AsyncSession) -> list[str]:
    """The workers holding chats now (live leases or not)."""
    return list((await session.execute(select(InboxChat.worker).distinct())).scalars())


async def release_workers(session: AsyncSession, workers: list[str]) -> None:
    """Hand on the chats of workers known to be dead, without waiting for their leases."""
    await session.execute(delete(InboxChat).where(InboxChat.worker.in_(workers)))


async def release_all(session: AsyncSession, worker: str) -> None:
    """A worker stopping cleanly hands its chats on at once instead of after the lease."""
    await session.execute(delete(InboxChat).where(InboxChat.worker == worker))


async def pending_chats(session: AsyncSession, *, limit: int, now: datetime | None = None) -> list[int]:
    """Chats with updates left to handle that no worker holds a live lease on, oldest first."""
    now = now or utcnow()
    held = select(InboxChat.chat_key).where(InboxChat.lease_until >= now)
    rows = await session.execute(
        select(InboxUpdate.chat_key, func.min(InboxUpdate.update_id).label("first"))
        .where(InboxUpdate.done_at.is_(None), InboxUpdate.chat_key.not_in(held))
        .group_by(InboxUpdate.chat_key)
        .order_by("first")
        .limit(limit)
    )
    return [key for key, _ in rows]


async def next_updates(session: AsyncSession, chat_key: int, *, limit: int) -> list[Delivered]:
    """The chat's oldest updates not yet handled, in the order Telegram numbered them."""
    rows = await session.execute(
        select(InboxUpdate.update_id, InboxUpdate.chat_key, InboxUpdate.payload)
        .where(InboxUpdate.chat_key == chat_key, InboxUpdate.done_at.is_(None))
        .order_by(InboxUpdate.update_id)
        .limit(limit)
    )
    return [Delivered(*row) for row in rows]


async def mark_done(session: AsyncSession, update_id: int, now: datetime | None = None) -> None:
    await session.execute(update(InboxUpdate).where(InboxUpdate.update_id == update_id)
                          .values(done_at=now or utcnow(), payload=None))


async def backlog(session: AsyncSession) -> Backlog:
    """How many stored updates wait to be handled, and since when the oldest has."""
    count, oldest = (await session.execute(
        select(func.count(), func.min(InboxUpdate.received_at)).where(InboxUpdate.done_at.is_(None)))).one()
    return Backlog(count, oldest)


async def forget_handled(session: AsyncSession, now: datetime | None = None) -> int:
    """Drop updates handled more than KEEP ago; the ones still pending are never dropped."""
    result = await session.execute(
        delete(InboxUpdate).where(InboxUpdate.done_at < (now or utcnow()) - KEEP))
    return result.rowcount or 0
