"""Telling many attendees something (event cancelled, moved, an announcement), within Telegram's limits.

Telegram allows about 30 messages a second to different chats before it answers 429; we pace well
under that and run in the background, so the admin's chat (and everyone else's) stays responsive
while a long list is worked through. Each person gets one message; one who blocked the bot doesn't
stop the rest.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot.context import Context
from bot.texts import t

log = logging.getLogger(__name__)

SEND_INTERVAL = 1 / 20   # seconds between two messages: 20 a second, under Telegram's ~30
MAX_ATTEMPTS = 3
_TASKS = "admin_deliveries"


@dataclass(frozen=True)
class Letter:
    chat_id: int
    text: str


@dataclass(frozen=True)
class Delivery:
    sent: int
    blocked: int
    failed: int

    @property
    def total(self) -> int:
        return self.sent + self.blocked + self.failed


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def deliver(application: Application, letters: list[Letter]) -> Delivery:
    sent = blocked = failed = 0
    seen: set[int] = set()
    for letter in letters:
        if letter.chat_id in seen:
            continue
        seen.add(letter.chat_id)
        for attempt in range(MAX_ATTEMPTS):
            try:
                await application.bot.send_message(letter.chat_id, letter.text)
                sent += 1
                break
            except RetryAfter as exc:  # flood control: wait as told, then try this one again
                await asyncio.sleep(_seconds(exc.retry_after))
            except Forbidden:
                blocked += 1
                break
            except TelegramError as exc:
                log.warning("could not message %s: %s", letter.chat_id, exc)
                failed += 1
                break
        else:
            failed += 1
        await asyncio.sleep(SEND_INTERVAL)
    return Delivery(sent, blocked, failed)


async def _deliver_and_report(application: Application, letters: list[Letter], report_to: int | None,
                              lang: str) -> Delivery:
    result = await deliver(application, letters)
    log.info("delivered %s of %s (blocked %s, failed %s)", result.sent, result.total, result.blocked, result.failed)
    if report_to is not None:
        try:
            await application.bot.send_message(report_to, t(lang, "adm.delivered", sent=result.sent,
                                                             count=result.total))
        except TelegramError:
            log.warning("could not report the delivery to %s", report_to, exc_info=True)
    return result


def start(context: Context, letters: list[Letter], report_to: int | None = None) -> asyncio.Task | None:
    """Send in the background; the admin gets "delivered N of M" when it's done."""
    if not letters:
        return None
    application = context.application
    work = _deliver_and_report(application, letters, report_to, context.lang)
    # A running Application awaits its tasks on shutdown; outside one (tests, scripts) a plain task.
    task = (application.create_task(work, name="admin-delivery") if application.running
            else asyncio.get_running_loop().create_task(work, name="admin-delivery"))
    tasks: set = application.bot_data.setdefault(_TASKS, set())
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return task


async def wait_all(application: Application) -> None:
    """Wait for every delivery under way (tests; a graceful shutdown)."""
    while tasks := list(application.bot_data.get(_TASKS, ())):
        await asyncio.gather(*tasks, return_exceptions=True)
