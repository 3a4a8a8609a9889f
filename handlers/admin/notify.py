"""Telling many attendees something (event cancelled, moved, an announcement).

The letters are written to the outbox (db/outbox.py) inside the same transaction as the change that
causes them, so the change and the duty to tell people commit together and survive a crash; the
outbox worker (bot/outbox.py) sends them paced under Telegram's limits, each person once, skipping
people who blocked the bot, and tells the admin "delivered N of M" when the batch is done.
"""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application

from bot import outbox as worker
from bot.context import Context
from db import outbox

CANCELLED, CHANGED, ANNOUNCEMENT = "cancel", "change", "ann"


def _key(kind: str, event_id: int, update_id: int, user_id: int) -> str:
    # An event is cancelled once, so its notice is keyed by person alone; changes and announcements
    # can repeat, and are keyed by the update that made them (a redelivery adds nothing).
    if kind == CANCELLED:
        return f"{kind}:{event_id}:{user_id}"
    return f"{kind}:{event_id}:{update_id}:{user_id}"


async def queue(session: AsyncSession, update: Update, kind: str, event_id: int,
                letters: list[tuple[int, str]]) -> int:
    """Queue (user_id, text) letters in the caller's transaction; returns how many people."""
    people = {user_id: text for user_id, text in letters}  # one message per person
    await outbox.enqueue(
        session,
        [outbox.Letter(_key(kind, event_id, update.update_id, uid), uid, text) for uid, text in people.items()],
        batch=f"{kind}:{event_id}:{update.update_id}",
        report_to=update.effective_chat.id if update.effective_chat else None,
    )
    return len(people)


def wake(context: Context) -> None:
    """After the transaction committed: start sending now."""
    worker.wake(context.application)


async def wait_all(application: Application) -> None:
    """Send everything queued now and wait for it (tests, a graceful shutdown)."""
    await worker.drain_all(application)
