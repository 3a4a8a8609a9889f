"""Updates of different chats run concurrently; the updates of one chat run strictly in order.

PTB's plain `concurrent_updates=True` runs every update as its own task, so a user's second message
can overtake the first and a multi-step conversation sees its answers out of order. Here each chat
has a lock taken in arrival order (asyncio locks are FIFO); a lock exists only while that chat has
updates in flight, so memory does not grow with the number of users ever seen.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def ordering_key(update: object) -> object:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return None  # nothing to keep in order with


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """`running` updates are handled at once. PTB's own semaphore (`max_in_flight`) is held while an
    update waits for its chat's lock too, so it is set wider: one chatty user queueing many updates
    must not take the slots other users need."""

    def __init__(self, running: int = 64, max_in_flight: int = 4096) -> None:
        super().__init__(max_in_flight)
        self._running = asyncio.Semaphore(running)
        self._locks: dict[object, tuple[asyncio.Lock, int]] = {}

    @property
    def active_chats(self) -> int:
        """How many chats have updates in flight (the only per-chat state kept)."""
        return len(self._locks)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            async with self._running:
                await coroutine
            return
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock, self._running:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
