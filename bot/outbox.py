"""The outbox worker: sends what db/outbox.py holds, paced under Telegram's flood limits.

One background task per bot process. It wakes when something is queued (or every few seconds, to
pick up work queued by another process or left over from before a restart), claims a handful of
messages, sends them at SEND_RATE a second, and records each result. A 429 defers that message; a
user who blocked the bot is marked and skipped; other failures are retried a few times. When a send
is slow or answered 429, the rest of the handful is handed back for any worker to send meanwhile.

Its claims are leases (db/outbox.py): while the worker works through a handful, however long a
send takes (PTB's rate limiter waiting out a 429, a slow answer), a heartbeat renews them every
third of the lease, so no other worker sends them too; only a worker that dies leaves its messages
to another, once its lease lapses.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot.flood import wait_of
from handlers.context import outbox_wake
from views.texts import t
from db import outbox
from db.models import utcnow
from db.users import get_language

log = logging.getLogger(__name__)

SEND_RATE = 20          # messages a second from one worker, under Telegram's ~30 to different chats
CLAIM = 5               # a handful: what is claimed waits its turn, so claim a quarter-second's worth
# A slow answer is waited for, the lease renewed meanwhile: giving up on it (PTB's default is 5 s)
# and sending again would repeat a message Telegram has most likely delivered.
SEND_READ_TIMEOUT = 60.0
HAND_BACK_AFTER = 1.0   # seconds a send may take before the rest of its handful goes back to pending
IDLE_WAKE = 3.0         # seconds between looks when nobody woke us
_TASK = "outbox_task"
_WORKER = "outbox_worker"


class Pacer:
    """Starts sends at most SEND_RATE a second: each start is 1/SEND_RATE after the one before, so
    the time a send and its record take is part of that interval, not added to it (sleeping 1/20 s
    after each send made 17.4 a second)."""

    def __init__(self) -> None:
        self._next = 0.0

    async def wait_turn(self) -> None:
        loop = asyncio.get_running_loop()
        delay = self._next - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        # From the moment we really start, so a late wake-up never makes the next gap shorter.
        self._next = loop.time() + 1 / SEND_RATE


@dataclass
class Worker:
    """One Application's outbox worker: its id in the claims it makes, and its pace."""

    id: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"[-96:])
    pacer: Pacer = field(default_factory=Pacer)


def worker_of(application: Application) -> Worker:
    return application.bot_data.setdefault(_WORKER, Worker())


class Lease:
    """The worker's hold on its claimed handful: renewed (all rows in one statement) every third of
    the lease by a heartbeat while the worker works, and checked before each send."""

    def __init__(self, db, worker: str, message_ids: list[int], claimed_at: float) -> None:
        self._db, self._worker = db, worker
        self._length = outbox.LEASE
        self.held = set(message_ids)
        self._renewed_at = claimed_at  # taken just before the claim, so our reckoning never outlives the lease

    async def renew(self) -> None:
        started = asyncio.get_running_loop().time()
        async with self._db.write() as session:
            self.held &= await outbox.renew(session, worker=self._worker, lease=self._length)
        self._renewed_at = started

    async def holds(self, message_id: int) -> bool:
        """Whether we still hold the message. When the heartbeat is late (a stalled loop, a database
        that was slow), renew first: the lease may have lapsed and the row gone to another worker."""
        if asyncio.get_running_loop().time() - self._renewed_at > self._length.total_seconds() * 2 / 3:
            await self.renew()
        return message_id in self.held

    def settled(self, message_id: int) -> None:
        self.held.discard(message_id)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self._length.total_seconds() / 3)
            try:
                await self.renew()
            except Exception:  # noqa: BLE001 - a missed beat is retried; the lease has two more in it
                log.warning("could not renew the outbox lease of %s", self._worker, exc_info=True)

    @contextlib.asynccontextmanager
    async def kept_alive(self) -> AsyncIterator[Lease]:
        heartbeat = asyncio.get_running_loop().create_task(self._beat(), name="outbox-lease")
        try:
            yield self
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat


@dataclass(frozen=True)
class Outcome:
    status: str
    retry_at: datetime | None = None
    flood: bool = False  # Telegram answered 429: this chat waits, the rest of the handful need not


async def _send(application: Application, message: outbox.Claimed) -> Outcome:
    try:
        await application.bot.send_message(message.chat_id, message.text, read_timeout=SEND_READ_TIMEOUT)
    except RetryAfter as exc:
        return Outcome(outbox.PENDING, utcnow() + wait_of(exc), flood=True)
    except Forbidden:
        return Outcome(outbox.BLOCKED)  # the user blocked the bot or deleted their account
    except BadRequest as exc:
        log.warning("outbox message %s refused: %s", message.id, exc.message)
        return Outcome(outbox.FAILED)
    except TelegramError as exc:
        log.warning("outbox message %s not sent yet: %s", message.id, exc)
        if message.attempts < outbox.MAX_ATTEMPTS:
            return Outcome(outbox.PENDING, utcnow() + timedelta(seconds=2 ** message.attempts))
        return Outcome(outbox.FAILED)
    return Outcome(outbox.SENT)


async def drain_once(application: Application) -> int:
    """Send one claimed handful; returns how many messages were claimed."""
    db = application.bot_data["db"]
    worker = worker_of(application)
    claimed_at = asyncio.get_running_loop().time()
    async with db.write() as session:
        claimed = await outbox.claim(session, worker=worker.id, limit=CLAIM, lease=outbox.LEASE)
    if not claimed:
        return 0
    async with Lease(db, worker.id, [m.id for m in claimed], claimed_at).kept_alive() as lease:
        for n, message in enumerate(claimed):
            await worker.pacer.wait_turn()
            if not await lease.holds(message.id):
                log.warning("outbox message %s was taken over by another worker; not sending it", message.id)
                continue
            outcome, handed_back = await _send_or_hand_back(application, message, claimed[n + 1:], worker.id)
            async with db.write() as session:
                settled = await outbox.settle(session, message.id, outcome.status, worker=worker.id,
                                              retry_at=outcome.retry_at,
                                              batch=message.batch if message.report_to else None)
                if not settled:
                    log.warning("outbox message %s was taken over by another worker while being sent", message.id)
                elif message.batch and message.report_to:
                    # In the same transaction as the last settle, so "all sent" and the admin's report
                    # can't be seen apart (nor the report lost to a crash between them).
                    await _report_if_done(session, application, message.batch, message.report_to)
            lease.settled(message.id)
            if outcome.flood and not handed_back:  # Telegram asked this chat to wait; the others need not
                await _hand_back(db, claimed[n + 1:], worker.id)
            if outcome.flood or handed_back:
                break  # the rest of the handful is pending again, for whichever worker comes first
    return len(claimed)


async def _send_or_hand_back(application: Application, message: outbox.Claimed, rest: list[outbox.Claimed],
                             worker: str) -> tuple[Outcome, bool]:
    """Send `message`; should that take long (PTB's rate limiter waiting out a 429, a slow answer),
    hand `rest` back meanwhile rather than keep them waiting. Returns the outcome and whether `rest`
    was handed back."""
    send = asyncio.ensure_future(_send(application, message))
    try:
        done, _ = await asyncio.wait({send}, timeout=HAND_BACK_AFTER)
        handed_back = not done and bool(rest)
        if handed_back:
            await _hand_back(application.bot_data["db"], rest, worker)
        return await send, handed_back
    finally:
        send.cancel()  # only if we were cancelled while it ran


async def _hand_back(db, rest: list[outbox.Claimed], worker: str) -> None:
    if rest:
        async with db.write() as session:
            await outbox.release(session, [m.id for m in rest], worker=worker)


async def _report_if_done(session, application: Application, batch: str, report_to: int) -> None:
    result = await outbox.batch_result(session, batch)
    if result is None:
        return
    lang = await get_language(session, report_to) or application.bot_data["settings"].default_language
    sent, total = result
    await outbox.enqueue(session, [outbox.Letter(f"report:{batch}", report_to,
                                                 t(lang, "adm.delivered", sent=sent, count=total))])


async def run_worker(application: Application) -> None:
    event = outbox_wake(application)
    while True:
        try:
            while await drain_once(application):
                pass
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the worker must outlive a bad moment of the database
            log.exception("outbox worker failed; retrying")
        try:
            await asyncio.wait_for(event.wait(), timeout=IDLE_WAKE)
        except asyncio.TimeoutError:
            pass
        event.clear()


def start_worker(application: Application) -> None:
    outbox_wake(application)
    if application.bot_data.get(_TASK) is None or application.bot_data[_TASK].done():
        application.bot_data[_TASK] = asyncio.get_running_loop().create_task(run_worker(application),
                                                                             name="outbox-worker")


async def stop_worker(application: Application) -> None:
    task: asyncio.Task | None = application.bot_data.pop(_TASK, None)
    if task is not None:
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, Exception):  # noqa: BLE001
            pass


async def drain_all(application: Application, timeout: float = 30.0) -> None:
    """Send everything owed now, waiting out retries (tests, a graceful shutdown)."""
    db = application.bot_data["db"]
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if not await drain_once(application):
            async with db.read() as session:
                if not await outbox.pending_count(session):
                    return
            await asyncio.sleep(0.1)
