"""Long polling that never loses an update, even when the process is killed.

PTB's Updater acknowledges a batch (by asking for the next offset) as soon as it has queued it in
memory, so updates fetched but not yet handled are gone if the process dies. Here a batch is first
stored in the inbox (bot/intake.py), and only then is the next offset asked for; the stored updates
are handled from there, each chat's in order, while polling goes on fetching.
"""
from __future__ import annotations

import asyncio
import logging
import signal

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.flood import wait_of
from bot.intake import intake_of

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 25
BATCH = 100


async def _fetch(application: Application, offset: int | None, stop: asyncio.Event) -> list[Update] | None:
    """One long poll, abandoned (None) as soon as we are asked to stop."""
    fetch = asyncio.create_task(application.bot.get_updates(
        offset=offset, timeout=LONG_POLL_SECONDS, limit=BATCH, allowed_updates=Update.ALL_TYPES))
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if not fetch.done():
        fetch.cancel()
        return None
    return fetch.result()


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake at once when asked to stop."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except asyncio.TimeoutError:
        pass


async def poll(application: Application, stop: asyncio.Event) -> None:
    offset: int | None = None
    fetch_backoff = store_backoff = 1.0
    while not stop.is_set():
        try:
            updates = await _fetch(application, offset, stop)
        except InvalidToken:
            raise
        except RetryAfter as exc:
            await _pause(stop, wait_of(exc).total_seconds())
            continue
        except Conflict as exc:
            log.warning("another process is polling with this token (%s); retrying in 5 s", exc.message)
            await _pause(stop, 5)
            continue
        except (TimedOut, NetworkError) as exc:
            log.warning("getUpdates failed (%s); retrying in %.0f s", exc.message, fetch_backoff)
            await _pause(stop, fetch_backoff)
            fetch_backoff = min(fetch_backoff * 2, 30)
            continue
        if updates is None:
            break
        fetch_backoff = 1.0
        if updates:
            try:
                await intake_of(application).accept(updates)
            except Exception:  # noqa: BLE001 - not stored, so not acknowledged: Telegram keeps them
                log.exception("could not store %d updates; fetching them again in %.0f s", len(updates),
                              store_backoff)
                await _pause(stop, store_backoff)
                store_backoff = min(store_backoff * 2, 30)
                continue
            store_backoff = 1.0
            offset = updates[-1].update_id + 1
    if offset is not None:
        try:  # acknowledge the last stored batch so a restart doesn't fetch it again
            await application.bot.get_updates(offset=offset, timeout=0, limit=1)
        except TelegramError as exc:  # stored anyway: a redelivery after the restart is a no-op
            log.info("could not acknowledge the last batch on the way out: %s", exc)


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGINT and SIGTERM set `stop`: the bot finishes what it holds and shuts down cleanly."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except NotImplementedError:  # pragma: no cover - Windows
            pass


async def run(application: Application) -> None:
    """Start the application, poll until SIGINT/SIGTERM, then shut down cleanly."""
    stop = asyncio.Event()
    stop_on_signals(stop)
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        polling = application.bot_data["settings"].poll_updates
        if polling:
            try:  # a webhook left from webhook mode would make getUpdates fail with a Conflict
                await application.bot.delete_webhook(drop_pending_updates=False)
            except TelegramError as exc:
                log.warning("could not remove a webhook (%s); polling anyway", exc)
        await application.start()
        try:
            if polling:
                log.info("eventbot is polling as @%s", application.bot.username)
                await poll(application, stop)
            else:  # another worker polls; this one handles what it stores in the shared inbox
                log.info("eventbot is handling stored updates as @%s (POLL_UPDATES=false)", application.bot.username)
                await stop.wait()
        finally:
            await intake_of(application).stop()  # updates in flight finish while the bot can still answer
            await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
