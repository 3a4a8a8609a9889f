"""The bot as `eventbot run` builds it (bot/__main__.py: build_application(settings), every other
option left at its default), fed through the real intake: bot/polling.py's poll loop long-polling a
Bot API server over HTTP (the fake one). The other tests build the Application with test options;
these check what production relies on and those options would hide: one chat's updates are
answered in order, and Telegram's flood limit (429) is waited out rather than losing the answer."""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update
from telegram.ext import AIORateLimiter, Application, TypeHandler

from bot.app import build_application
from bot.polling import poll
from bot.updates import PerChatUpdateProcessor
from tests.driver import User
from tests.fake_server import FakeBotApiServer


@asynccontextmanager
async def polling_bot(settings, server: FakeBotApiServer) -> AsyncIterator[Application]:
    """The production Application, started as bot/polling.py's run() starts it, polling `server`."""
    application = build_application(settings.model_copy(update={"telegram_base_url": server.url}))
    await application.initialize()
    await application.post_init(application)
    await application.start()
    stop = asyncio.Event()
    polling = asyncio.create_task(poll(application, stop))
    try:
        yield application
    finally:
        stop.set()
        await asyncio.wait_for(polling, 10)
        await application.stop()
        await application.shutdown()
        await application.post_shutdown(application)


async def _until(condition, what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def _chat(server: FakeBotApiServer, chat_id: int) -> list[str]:
    with server.lock:
        return [m.get("text", "") for m in server.api.chat(chat_id)]


async def test_production_build_answers_one_chats_updates_in_order(settings, add_event):
    await add_event("Jazz Night")
    with FakeBotApiServer() as server:
        async with polling_bot(settings, server) as app:
            assert isinstance(app.update_processor, PerChatUpdateProcessor)

            async def slow_start(update: Update, context) -> None:
                # The first update has a slow moment (a busy database, a slow Bot API answer).
                if update.message and update.message.text == "/start":
                    await asyncio.sleep(0.3)

            app.add_handler(TypeHandler(Update, slow_start), group=-100)
            alice, bob = User(app, server.api, 1001, "Alice"), User(app, server.api, 1002, "Bob")
            with server.lock:  # one batch: Alice's two messages and Bob's, as Telegram queues them
                for update in (alice.message_update("/start"), alice.message_update("/events"),
                               bob.message_update("/events")):
                    server.push(update.to_dict())
            await _until(lambda: len(_chat(server, 1001)) == 2 and _chat(server, 1002), "the answers")

            first, second = _chat(server, 1001)
            assert "Hi, Alice" in first and "Upcoming events" in second  # answered in the order asked
            assert "Upcoming events" in _chat(server, 1002)[0]
        assert server.acknowledged >= 3  # the batch was confirmed to Telegram once handled


async def test_production_build_waits_out_flood_control(settings, add_event):
    await add_event("Jazz Night")
    with FakeBotApiServer() as server:
        async with polling_bot(settings, server) as app:
            assert isinstance(app.bot.rate_limiter, AIORateLimiter)
            server.api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
            server.push(User(app, server.api, 1001, "Alice").message_update("/events").to_dict())
            await _until(lambda: _chat(server, 1001), "the answer")
            assert "Upcoming events" in _chat(server, 1001)[0]
            assert not server.api.faults[0].times  # Telegram did say 429 first
