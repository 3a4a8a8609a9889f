"""Many users at once, each user's updates in order (issue 5)."""
from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import SimpleUpdateProcessor, TypeHandler

from bot.updates import PerChatUpdateProcessor
from tests.driver import User

USERS = 200


async def _run_burst(app, api) -> tuple[list[tuple[int, str]], int]:
    """200 users each send two messages back to back; the first takes longer to handle."""
    seen: list[tuple[int, str]] = []
    done = asyncio.Event()

    async def probe(update: Update, context) -> None:
        text = update.effective_message.text
        await asyncio.sleep(0.01 if text == "first" else 0)
        seen.append((update.effective_user.id, text))
        if len(seen) == USERS * 2:
            done.set()

    app.add_handler(TypeHandler(Update, probe), group=-50)
    users = [User(app, api, 20_000 + i, f"U{i}") for i in range(USERS)]
    await app.start()
    try:
        for u in users:
            await app.update_queue.put(u.message_update("first"))
            await app.update_queue.put(u.message_update("second"))
        await asyncio.wait_for(done.wait(), timeout=30)
    finally:
        await app.stop()  # waits for updates still being handled
    return seen, len(api.sent("sendMessage"))


async def test_each_users_messages_are_handled_in_order(make_app, api):
    app = await make_app()
    assert isinstance(app.update_processor, PerChatUpdateProcessor)
    seen, replies = await _run_burst(app, api)

    assert len(seen) == USERS * 2
    for uid in {u for u, _ in seen}:
        assert [text for u, text in seen if u == uid] == ["first", "second"]
    # Every message also reached the real handlers, which answered each one.
    assert replies == USERS * 2
    # Users ran concurrently: one after another, each user's two messages would sit side by side.
    side_by_side = sum(1 for a, b in zip(seen, seen[1:]) if a[0] == b[0])
    assert side_by_side < USERS // 2, side_by_side
    # Nothing is kept per user once their updates are done.
    assert app.update_processor.active_chats == 0


async def test_plain_concurrent_updates_would_reorder_them(make_app, api):
    """The reason for the per-chat processor: PTB's plain concurrency lets a second message overtake."""
    app = await make_app(update_processor=SimpleUpdateProcessor(256))
    seen, _ = await _run_burst(app, api)
    overtaken = [uid for uid in {u for u, _ in seen} if [t for u, t in seen if u == uid] != ["first", "second"]]
    assert overtaken
