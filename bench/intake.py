"""Part 6: the update intake end to end. The same updates (each user: /start, /events, /mybookings)
reach the real bot two ways: long-polled from a fake Bot API over real HTTP, stored in the inbox and
handled from there (bot/polling.py + bot/intake.py, as `eventbot run` does), and handed straight to
`Application.process_update` (what the other parts measure). The difference is what the durable
intake costs: a write per batch, a claim and a "done" mark per chat and update, the HTTP round trips."""
from __future__ import annotations

import asyncio
import time

from telegram import Update

from bench import data
from bench.harness import settings_for


def _updates(users: int, first_user: int) -> list[dict]:
    updates, update_id = [], 1
    for n in range(users):
        user = {"id": first_user + n, "is_bot": False, "first_name": f"User {n}", "language_code": "en"}
        for message_id, text in enumerate(("/start", "/events", "/mybookings"), start=1):
            updates.append({"update_id": update_id, "message": {
                "message_id": message_id, "date": int(time.time()), "chat": {"id": user["id"], "type": "private"},
                "from": user, "text": text, "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}]}})
            update_id += 1
    return updates


async def _answered(server, users: list[int], each: int) -> bool:
    with server.lock:
        return all(len(server.api.chat(u)) >= each for u in users)


async def polled(url: str, users: int) -> dict:
    """Seconds from the moment the updates wait at the Bot API to the last answer, via polling + inbox."""
    from bot.app import build_application
    from bot.polling import poll
    from tests.fake_server import FakeBotApiServer

    await data.add_events_url(url, 5, 10, 7)
    updates = _updates(users, 500_000)
    with FakeBotApiServer() as server:
        app = build_application(settings_for(url).model_copy(update={"telegram_base_url": server.url}),
                                rate_limiter=False)
        await app.initialize()
        await app.post_init(app)
        with server.lock:
            for update in updates:
                server.push(update)
        stop = asyncio.Event()
        started = time.perf_counter()
        polling = asyncio.create_task(poll(app, stop))
        ids = sorted({u["message"]["chat"]["id"] for u in updates})
        while not await _answered(server, ids, 3):
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        stop.set()
        await polling
        await app.shutdown()
        await app.post_shutdown(app)
    return {"updates": len(updates), "seconds": elapsed, "ups": len(updates) / elapsed}


async def direct(url: str, users: int) -> dict:
    """The same updates handed to process_update through the bot's update processor, no intake."""
    from bench.harness import LeanFake, start_bot, stop_app

    await data.add_events_url(url, 5, 10, 7)
    api = LeanFake()
    app = await start_bot(url, api)
    updates = [Update.de_json(u, app.bot) for u in _updates(users, 600_000)]
    processor = app.update_processor
    by_chat: dict[int, list[Update]] = {}
    for update in updates:
        by_chat.setdefault(update.effective_chat.id, []).append(update)

    async def one_chat(chat: list[Update]) -> None:
        for update in chat:
            await processor.process_update(update, app.process_update(update))

    started = time.perf_counter()
    await asyncio.gather(*(one_chat(chat) for chat in by_chat.values()))
    elapsed = time.perf_counter() - started
    await stop_app(app)
    return {"updates": len(updates), "seconds": elapsed, "ups": len(updates) / elapsed}
