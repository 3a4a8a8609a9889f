"""The outbox worker: sends what db/outbox.py holds, paced under Telegram's flood limits.

One background task per bot process. It wakes when something is queued (or every few seconds, to
pick up work queued by another process or left over from before a restart), claims a handful of
messages, sends them at most SEND_RATE a second, and records each result. A 429 is waited out; a
user who blocked the bot is marked and skipped; other failures are retried a few times.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot.flood import wait_of
from handlers.context import outbox_wake
from views.texts import t
from db import outbox
from db.models import utcnow
from db.users import get_language

log = logging.getLogger(__name__)

SEND_RATE = 20          # messages a second, under Telegram's ~30 to different chats
CLAIM = 20
IDLE_WAKE = 3.0         # seconds between looks when nobody woke us
_TASK = "outbox_task"


async def drain_once(application: Application) -> int:
    """Send one claimed handful; returns how many messages were claimed."""
    db = application.bot_data["db"]
    async with db.write() as session:
        claimed = await outbox.claim(session, limit=CLAIM)
    for message in claimed:
        status, retry_at = outbox.SENT, None
        try:
            await application.bot.send_message(message.chat_id, message.text)
        except RetryAfter as exc:
            status, retry_at = outbox.PENDING, utcnow() + wait_of(exc)
        except Forbidden:
            status = outbox.BLOCKED  # the user blocked the bot or deleted their account
        except BadRequest as exc:
            log.warning("outbox message %s refused: %s", message.id, exc.message)
            status = outbox.FAILED
        except TelegramError as exc:
            log.warning("outbox message %s not sent yet: %s", message.id, exc)
            if message.attempts < outbox.MAX_ATTEMPTS:
                status, retry_at = outbox.PENDING, utcnow() + timedelta(seconds=2 ** message.attempts)
            else:
                status = outbox.FAILED
        async with db.write() as session:
            await outbox.settle(session, message.id, status, retry_at=retry_at,
                                batch=message.batch if message.report_to else None)
            if message.batch and message.report_to:
                # In the same transaction as the last settle, so "all sent" and the admin's report
                # can't be seen apart (nor the report lost to a crash between them).
                await _report_if_done(session, application, message.batch, message.report_to)
        await asyncio.sleep(1 / SEND_RATE)
    return len(claimed)


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
