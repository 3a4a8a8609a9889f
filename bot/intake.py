"""The update intake: store first, acknowledge, then handle from the inbox (db/inbox.py).

Every update is written to the inbox before Telegram hears it arrived (polling asks for the next
offset, the webhook answers 200 only after the write), so a crash loses nothing. Each chat with
updates waiting gets a task of its own that claims the chat in the database (one worker per chat, on
any number of bot processes), handles its updates strictly in order and marks each done. There is
no batch barrier: a slow update (a lock wait, a 429 waited out, a big poster) delays only its chat.
A scan every second picks up what another process stored, what a dead worker left, and what was
stored but not finished before a restart.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Sequence

from telegram import Update
from telegram.ext import Application

from db import inbox

log = logging.getLogger(__name__)

SCAN_EVERY = 1.0       # seconds between looks for chats nobody is handling
MAX_CHATS = 256        # chats one worker takes on at once; the rest are left to other workers (or later)
UPDATES_PER_FETCH = 20
STOP_GRACE = 10.0      # seconds a stopping worker gives updates in flight to finish
INTAKE = "intake"      # bot_data key


def chat_key(update: Update) -> int:
    """Whose updates must stay in order: the chat's, else the user's (an inline query), else none (0)."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return 0


def worker_name() -> str:
    return f"{_host()}-{os.getpid()}-{secrets.token_hex(3)}"


def _host() -> str:
    return socket.gethostname()[:40]


def died_here(worker: str, me: str) -> bool:
    """A worker of this machine that is certainly gone: its process no longer exists, or it had this
    very process ID (a restarted container's PID 1) under another name. Its chats need not wait for
    their leases to lapse."""
    parts = worker.rsplit("-", 2)  # host-pid-random; the host may have dashes of its own
    if worker == me or len(parts) != 3 or parts[0] != _host() or not parts[1].isdigit():
        return False
    pid_text = parts[1]
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


class Intake:
    def __init__(self, application: Application, worker: str | None = None) -> None:
        self.application = application
        self.worker = worker or worker_name()
        self._chats: dict[int, asyncio.Task] = {}   # chats this worker is handling now
        self._nudged: set[int] = set()               # ...and that got more updates meanwhile
        self._background: list[asyncio.Task] = []
        # Until start() (post_init done, the schema migrated) updates are only stored: a webhook
        # that answers Telegram early must not hand them to an Application that can't handle them yet.
        self._stopping = True
        # Told of each update handled and how long its handlers took (bot/metrics.py counts them).
        self.on_handled: Callable[[Update, float], None] | None = None

    @property
    def db(self):
        return self.application.bot_data["db"]

    @property
    def busy_chats(self) -> int:
        return len(self._chats)

    async def accept(self, updates: Sequence[Update]) -> None:
        """Store a batch (one statement; a redelivered update is a no-op), then start handling it.
        Returns once the batch is durable: the caller may acknowledge it to Telegram."""
        delivered = [inbox.Delivered(u.update_id, chat_key(u), u.to_dict()) for u in updates]
        async with self.db.queue() as session:
            await inbox.store(session, delivered)
        for key in dict.fromkeys(d.chat_key for d in delivered):
            self._start(key)

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._stopping = False
        self._background = [loop.create_task(self._scan(take_back=True), name="intake-scan"),
                            loop.create_task(self._heartbeat(), name="intake-heartbeat")]

    async def stop(self) -> None:
        """Finish the updates in flight (up to STOP_GRACE), leave the rest stored, hand chats on."""
        self._stopping = True
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background = []
        running = list(self._chats.values())
        if running:
            _, late = await asyncio.wait(running, timeout=STOP_GRACE)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        try:
            async with self.db.queue() as session:
                await inbox.release_all(session, self.worker)
        except Exception:  # noqa: BLE001 - the leases lapse on their own
            log.warning("could not hand this worker's chats on", exc_info=True)

    def _start(self, key: int) -> None:
        if self._stopping:
            return
        if key in self._chats:
            self._nudged.add(key)
            return
        if len(self._chats) >= MAX_CHATS:  # the scan comes back for it
            return
        self._chats[key] = asyncio.get_running_loop().create_task(self._drain(key), name=f"chat-{key}")

    async def _drain(self, key: int) -> None:
        """Handle one chat's stored updates in order, as long as there are any."""
        claimed = False
        try:
            while not self._stopping:
                # Claimed again before every batch: a worker whose lease lapsed (a stall longer than
                # the lease) and was taken over stops here instead of running the chat twice.
                async with self.db.queue() as session:
                    claimed = await inbox.claim_chat(session, key, self.worker)
                if not claimed:
                    break
                async with self.db.queue_read() as session:
                    batch = await inbox.next_updates(session, key, limit=UPDATES_PER_FETCH)
                if not batch:
                    if key not in self._nudged:
                        break
                    self._nudged.discard(key)
                    continue
                for delivered in batch:
                    if self._stopping:
                        break
                    await self._handle(delivered)
            if claimed:
                async with self.db.queue() as session:
                    await inbox.release_chat(session, key, self.worker)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the scan retries the chat (or, failing that, its lease lapses)
            log.exception("handling the updates of chat %s failed; retrying shortly", key)
            try:
                async with self.db.queue() as session:
                    await inbox.release_chat(session, key, self.worker)
            except Exception:  # noqa: BLE001
                pass
        finally:
            del self._chats[key]
        if key in self._nudged:  # more arrived while the chat was being handed back
            self._nudged.discard(key)
            self._start(key)

    async def _handle(self, delivered: inbox.Delivered) -> None:
        application = self.application
        try:
            update = Update.de_json(delivered.payload, application.bot)
            started = time.perf_counter()
            await application.update_processor.process_update(update, application.process_update(update))
            if self.on_handled is not None:
                self.on_handled(update, time.perf_counter() - started)
        except Exception:  # noqa: BLE001 - one bad update must not block its chat for ever
            log.exception("update %s could not be handled; it is dropped", delivered.update_id)
        async with self.db.queue() as session:
            await inbox.mark_done(session, delivered.update_id)

    async def _take_back(self) -> None:
        """After a crash and restart on the same machine, its chats are handled at once, not after the lease."""
        async with self.db.queue() as session:
            dead = [w for w in await inbox.holders(session) if died_here(w, self.worker)]
            if dead:
                await inbox.release_workers(session, dead)
        if dead:
            log.info("took back the chats of %d worker(s) that died on this machine", len(dead))

    async def _scan(self, take_back: bool = False) -> None:
        if take_back:
            try:
                await self._take_back()
            except Exception:  # noqa: BLE001 - their leases lapse anyway
                log.warning("could not take back the chats of dead workers", exc_info=True)
        while True:
            try:
                async with self.db.queue_read() as session:
                    keys = await inbox.pending_chats(session, limit=max(0, MAX_CHATS - len(self._chats)))
                for key in keys:
                    self._start(key)
            except Exception:  # noqa: BLE001 - the database may be briefly away
                log.warning("looking for stored updates failed; retrying", exc_info=True)
            await asyncio.sleep(SCAN_EVERY)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(inbox.LEASE.total_seconds() / 3)
            if not self._chats:
                continue
            try:
                async with self.db.queue() as session:
                    await inbox.renew_leases(session, self.worker, list(self._chats))
            except Exception:  # noqa: BLE001
                log.warning("renewing this worker's chats failed; retrying", exc_info=True)


def intake_of(application: Application) -> Intake:
    return application.bot_data[INTAKE]
