"""Webhook mode (bot/web.py), driven as Telegram drives it: over HTTP, with the secret header. An
update is stored in the inbox before Telegram gets its 200, so a worker killed right after the 200s
loses nothing; requests without the secret get 403, garbage 400 and a failed store 503, and none of
them stores anything. Several Applications share one database (issue 5)."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from telegram import Update
from telegram.ext import TypeHandler

from bot.app import api_base_url, api_file_url
from bot.web import serving, web_app
from db import inbox as inbox_store
from db.models import Booking, InboxUpdate, User as UserRow
from tests.conftest import TOKEN
from tests.driver import User
from tests.fake_server import FakeBotApiServer
from tests.fake_telegram import FakeTelegram

SECRET = "s3cret-Token_123"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _until(condition, what: str, timeout: float = 30) -> None:
    """Wait for `condition()` (a plain or an async callable) to hold."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def _inbox(database) -> dict[int, bool]:
    """update_id -> handled yet, of every update the inbox holds."""
    async with database.queue_read() as session:
        rows = await session.execute(select(InboxUpdate.update_id, InboxUpdate.done_at))
        return {update_id: done_at is not None for update_id, done_at in rows}


async def _all_handled(database) -> bool:
    return all((await _inbox(database)).values())


@asynccontextmanager
async def webhook(app, secret: str | None = SECRET) -> AsyncIterator[httpx.AsyncClient]:
    """The bot's webhook server as `eventbot run` serves it, and an HTTP client in Telegram's place."""
    async with serving(web_app(app, webhook_path="telegram", secret=secret), "127.0.0.1", 0) as listening:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{listening.port}") as client:
            yield client


def _signed(secret: str = SECRET) -> dict[str, str]:
    return {SECRET_HEADER: secret}


async def test_requests_without_the_right_secret_get_403_and_nothing_is_stored_or_answered(
        make_app, api, db, add_event):
    await add_event("Jazz Night")
    app = await make_app()
    alice = User(app, api, 1001)
    forged = alice.message_update("/events").to_dict()
    async with webhook(app) as telegram:
        refused = [await telegram.post("/telegram", json=forged),
                   await telegram.post("/telegram", json=forged, headers=_signed("guess")),
                   await telegram.post("/telegram", json=forged, headers=_signed(SECRET + "x")),
                   await telegram.post("/telegram", json=forged, headers=_signed(SECRET.upper()))]
        assert [r.status_code for r in refused] == [403] * 4
        assert await _inbox(db) == {}

        good = alice.message_update("/events")
        assert (await telegram.post("/telegram", json=good.to_dict(), headers=_signed())).status_code == 200
        await _until(lambda: _all_handled(db), "the update to be handled")
    # Only the signed update was ever stored, and it alone was answered.
    assert (await _inbox(db)).keys() == {good.update_id}
    assert len(api.sent("sendMessage")) == 1 and "Jazz Night" in str(api.last(1001)["reply_markup"])


async def test_without_a_secret_configured_every_request_is_taken(make_app, api, db, add_event):
    await add_event("Jazz Night")
    app = await make_app()
    update = User(app, api, 1001).message_update("/events")
    async with webhook(app, secret=None) as telegram:
        assert (await telegram.post("/telegram", json=update.to_dict())).status_code == 200
        await _until(lambda: api.sent("sendMessage"), "the answer")


async def test_an_update_is_stored_before_telegram_gets_its_200(make_app, api, db, add_event):
    await add_event("Jazz Night")
    app = await make_app()
    handling, release = asyncio.Event(), asyncio.Event()

    async def slow(update: Update, context) -> None:  # a slow moment: a lock wait, a slow Bot API answer
        handling.set()
        await release.wait()

    app.add_handler(TypeHandler(Update, slow), group=-100)
    update = User(app, api, 1001).message_update("/events")
    async with webhook(app) as telegram:
        answer = await telegram.post("/telegram", json=update.to_dict(), headers=_signed())
        # Telegram has its 200 while handling can't have finished (it waits for `release`): the update
        # is in the inbox, not handled, and nothing was answered yet.
        assert answer.status_code == 200
        assert await _inbox(db) == {update.update_id: False}
        assert not api.sent("sendMessage")
        await asyncio.wait_for(handling.wait(), 30)  # ...and it is being handled, from the inbox

        # Telegram sends it again (say our 200 was lost on the way): 200 again, kept once.
        again = await telegram.post("/telegram", json=update.to_dict(), headers=_signed())
        assert again.status_code == 200
        release.set()
        await _until(lambda: _all_handled(db), "the update to be handled")
    assert await _inbox(db) == {update.update_id: True}
    assert len(api.sent("sendMessage")) == 1


async def test_telegram_gets_no_answer_while_the_update_is_being_stored(make_app, api, db, monkeypatch):
    app = await make_app()
    storing, stored = asyncio.Event(), asyncio.Event()
    store = inbox_store.store

    async def slow_store(session, updates, now=None):  # a slow disk, a busy database
        storing.set()
        await stored.wait()
        await store(session, updates, now)

    monkeypatch.setattr(inbox_store, "store", slow_store)
    update = User(app, api, 1001).message_update("/help")
    async with webhook(app) as telegram:
        try:
            posting = asyncio.ensure_future(telegram.post("/telegram", json=update.to_dict(), headers=_signed()))
            await asyncio.wait_for(storing.wait(), 30)
            # However long we look, no answer comes while the write is unfinished (a 200 now would be a
            # promise the bot can't keep if it died this instant).
            await asyncio.wait([posting], timeout=0.5)
            assert not posting.done()
        finally:
            stored.set()  # a failed check must not leave the write (and the inbox's lock) hanging
        assert (await posting).status_code == 200
        assert (await _inbox(db)).keys() == {update.update_id}


async def test_garbage_gets_400_and_nothing_is_stored(make_app, api, db, add_event):
    await add_event("Jazz Night")
    app = await make_app()
    async with webhook(app) as telegram:
        bodies = [b"not json at all", b"", b"[1, 2]", b'"text"', json.dumps({"update_id": "7"}).encode(),
                  json.dumps({"message": {"text": "/events"}}).encode(),
                  json.dumps({"update_id": 7, "message": {"text": "/events"}}).encode(),
                  json.dumps({"update_id": 8, "callback_query": {"data": "x"}}).encode(),
                  json.dumps({"update_id": 9, "message": 5}).encode(), b"\xff\xfe\x00"]
        answers = [await telegram.post("/telegram", content=body, headers=_signed()) for body in bodies]
        assert [a.status_code for a in answers] == [400] * len(bodies)
        assert all("Traceback" not in a.text for a in answers)
        assert (await telegram.get("/telegram")).status_code == 405
        assert await _inbox(db) == {}
        # The server is still there for the next real update.
        update = User(app, api, 1001).message_update("/events")
        assert (await telegram.post("/telegram", json=update.to_dict(), headers=_signed())).status_code == 200
        await _until(lambda: api.sent("sendMessage"), "the answer")


async def test_an_update_that_cannot_be_stored_gets_503_and_is_taken_when_telegram_retries(
        make_app, api, db, add_event, monkeypatch):
    await add_event("Jazz Night")
    app = await make_app()
    update = User(app, api, 1001).message_update("/events")

    async def broken_store(session, updates, now=None):
        raise OperationalError("INSERT INTO inbox_updates ...", {}, Exception("disk I/O error"))

    async with webhook(app) as telegram:
        with monkeypatch.context() as patch:
            patch.setattr(inbox_store, "store", broken_store)
            refused = await telegram.post("/telegram", json=update.to_dict(), headers=_signed())
        assert refused.status_code == 503
        assert await _inbox(db) == {}
        assert not api.sent("sendMessage")

        retried = await telegram.post("/telegram", json=update.to_dict(), headers=_signed())
        assert retried.status_code == 200
        await _until(lambda: _all_handled(db), "the update to be handled")
    assert await _inbox(db) == {update.update_id: True}
    assert len(api.sent("sendMessage")) == 1


def _bot_env(tmp_path, server: FakeBotApiServer, database_url: str, **settings: str) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "BOT_TOKEN": TOKEN,
           "DATABASE_URL": database_url, "TELEGRAM_BASE_URL": server.url, "DEFAULT_LANGUAGE": "en"}
    return env | {name.upper(): value for name, value in settings.items()}


async def _start_bot(tmp_path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


async def _stop_bot(bot: asyncio.subprocess.Process) -> str:
    """SIGTERM, as a deploy stops it; returns what it printed, checked for leaks and tracebacks."""
    if bot.returncode is None:
        bot.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(bot.wait(), 20)
        except asyncio.TimeoutError:
            bot.kill()
            raise AssertionError("the bot did not stop on SIGTERM")
    output = (await bot.stdout.read()).decode()
    assert bot.returncode == 0, output
    assert "Traceback" not in output, output
    assert SECRET not in output and TOKEN not in output
    return output


def _webhook_env(port: int) -> dict[str, str]:
    return {"webhook_url": "https://bot.example.com/telegram", "webhook_secret": SECRET,
            "webhook_listen": "127.0.0.1", "webhook_port": str(port), "webhook_path": "telegram"}


def _command(update_id: int, user_id: int, text: str) -> dict:
    profile = {"id": user_id, "is_bot": False, "first_name": f"Fan{user_id}", "language_code": "en"}
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "chat": {"id": user_id, "type": "private"},
        "from": profile, "text": text, "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}]}}


async def test_eventbot_run_in_webhook_mode_registers_the_secret_and_refuses_requests_without_it(
        tmp_path, database_url, add_event):
    """`eventbot run` with WEBHOOK_URL set, as README's production section has it: the secret reaches
    Telegram's setWebhook (so Telegram sends it back) and the server refuses whoever lacks it."""
    await add_event("Jazz Night")
    port = _free_port()
    with FakeBotApiServer() as server:
        bot = await _start_bot(tmp_path, _bot_env(tmp_path, server, database_url, **_webhook_env(port)))
        try:
            await _until(lambda: server.calls("setWebhook"), "setWebhook")
            hook = server.calls("setWebhook")[-1].params
            assert hook["url"] == "https://bot.example.com/telegram"
            assert hook.get("secret_token") == SECRET
            assert {"message", "callback_query"} <= set(hook["allowed_updates"])

            body = json.dumps(_command(1, 1001, "/events"))
            url, headers = f"http://127.0.0.1:{port}/telegram", {"Content-Type": "application/json"}
            async with httpx.AsyncClient() as client:
                missing = await client.post(url, content=body, headers=headers)
                wrong = await client.post(url, content=body, headers={**headers, SECRET_HEADER: "guess"})
                assert missing.status_code == 403 and wrong.status_code == 403
                garbage = await client.post(url, content=b"{", headers={**headers, SECRET_HEADER: SECRET})
                assert garbage.status_code == 400

                good = await client.post(url, content=body, headers={**headers, SECRET_HEADER: SECRET})
                assert good.status_code == 200
                await _until(lambda: server.calls("sendMessage"), "the answer")
                # The webhook server is also the health check's.
                health = await client.get(f"http://127.0.0.1:{port}/healthz")
                assert health.status_code == 200 and health.json()["database"] == "ok"
            # One answer: had the refused requests reached the bot, this chat's answers to them
            # (handled in order) would be here before it.
            assert ["Upcoming events" in c.text for c in server.calls("sendMessage")] == [True]
        finally:
            await _stop_bot(bot)


async def test_eventbot_run_says_so_in_one_line_when_the_webhook_port_is_taken(tmp_path, database_url):
    with FakeBotApiServer() as server, socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        bot = await _start_bot(tmp_path, _bot_env(tmp_path, server, database_url, **_webhook_env(port)))
        await asyncio.wait_for(bot.wait(), 60)
        output = (await bot.stdout.read()).decode()
        assert bot.returncode == 1
        assert f"eventbot: cannot listen on 127.0.0.1:{port}" in output and "Traceback" not in output, output
        assert not server.calls("setWebhook")  # Telegram was not pointed at a server that isn't there


class _SlowTelegram:
    """While closed, the fake Bot API answers nobody: calls wait, and once it opens they are dropped
    unrecorded. Close it before killing a bot: nothing that bot was about to send ever arrives."""

    def __init__(self, server: FakeBotApiServer) -> None:
        self.closed, self.opened = threading.Event(), threading.Event()
        self.waiting = 0
        self._lock = threading.Lock()
        answer = server._call

        def call(method, params, files=None):
            if not self.closed.is_set():
                return answer(method, params, files)
            with self._lock:
                self.waiting += 1
            self.opened.wait(60)
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}

        server._call = call

    def close(self) -> None:
        self.opened.clear()
        self.closed.set()

    def open(self) -> None:
        self.closed.clear()
        self.opened.set()


async def test_webhook_worker_killed_right_after_the_200s_loses_no_update(tmp_path, database_url, db, add_event):
    """A burst posted to `eventbot run` in webhook mode, every request answered 200, then SIGKILL while the
    bot is still busy with it (no answer has reached Telegram). Telegram will not send those updates
    again; after a restart each one is answered, once, in each chat's order."""
    await add_event("Jazz Night")
    port = _free_port()
    chats = list(range(81_001, 81_009))
    commands = ("/start", "/events", "/help")
    burst = {chat: [_command(n * 10 + i, chat, text) for i, text in enumerate(commands)]
             for n, chat in enumerate(chats, start=1)}
    with FakeBotApiServer() as server:
        telegram = _SlowTelegram(server)
        env = _bot_env(tmp_path, server, database_url, log_level="WARNING", **_webhook_env(port))
        bot = await _start_bot(tmp_path, env)
        try:
            await _until(lambda: server.calls("setWebhook"), "setWebhook")
            telegram.close()
            url = f"http://127.0.0.1:{port}/telegram"
            async with httpx.AsyncClient(headers=_signed()) as client:
                async def send(updates: list[dict]) -> list[int]:  # one chat's updates in order, chats at once
                    return [(await client.post(url, json=update)).status_code for update in updates]

                statuses = await asyncio.gather(*(send(updates) for updates in burst.values()))
            assert statuses == [[200] * len(commands)] * len(chats)
            # Telegram is done with the burst; the inbox alone holds it, none of it handled yet.
            assert await _inbox(db) == {u["update_id"]: False for updates in burst.values() for u in updates}
            await _until(lambda: telegram.waiting, "the bot to be busy answering")
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
        finally:
            if bot.returncode is None:
                bot.kill()
        assert not server.calls("sendMessage")
        telegram.open()

        bot = await _start_bot(tmp_path, env)
        try:
            # The dead worker's claim on its chats lapses (inbox LEASE), then the new one answers them.
            await _until(lambda: _all_handled(db), "the restarted bot to handle the burst", timeout=120)
            for chat in chats:
                answers = [c.text for c in server.calls("sendMessage") if c.chat_id == chat]
                assert len(answers) == len(commands), (chat, answers)
                assert "Fan" in answers[0] and "Upcoming events" in answers[1], answers
        finally:
            await _stop_bot(bot)


async def test_two_bot_processes_serve_one_user_alternately(make_app, db, add_event):
    """No state that matters lives in one process: seat keyboards, bookings, language."""
    await add_event("Jazz Night", hall="3x5")
    api_a, api_b = FakeTelegram(), FakeTelegram()
    api_b.share(api_a)  # the hall is a photo that replaces the text card: B must not reuse A's numbers
    app_a, app_b = await make_app(api_a), await make_app(api_b)
    on_a, on_b = User(app_a, api_a, 1001), User(app_b, api_b, 1001)

    def handover(src: User, dst: User) -> None:
        # Both workers talk to the same Telegram chat: the message one sent is what the other sees.
        dst.api.messages.update(src.api.messages)

    await on_a.send("/events")
    handover(on_a, on_b)
    await on_b.tap("Jazz Night")
    handover(on_b, on_a)
    await on_a.tap("Book a seat")
    handover(on_a, on_b)
    await on_b.tap(data=on_b.button("3")["callback_data"])
    handover(on_b, on_a)
    confirm = on_a.button("Confirm")["callback_data"]
    await on_a.tap(data=confirm)
    assert "Booked" in on_a.screen()
    handover(on_a, on_b)
    await on_b.tap(data=confirm)  # the same button tapped again, reaching the other worker
    assert "Booked" in on_b.screen()

    await on_a.send("/language")
    await on_a.tap("Русский")
    await on_b.send("/mybookings")
    assert "Мои брони" in on_b.screen() and "A3" in on_b.screen()
    async with db.read() as session:
        assert len((await session.execute(select(Booking))).scalars().all()) == 1
        assert (await session.get(UserRow, 1001)).language == "ru"


def test_bot_api_server_urls():
    assert api_base_url("http://127.0.0.1:8081") == "http://127.0.0.1:8081/bot"
    assert api_base_url("http://127.0.0.1:8081/bot/") == "http://127.0.0.1:8081/bot"
    assert api_base_url("http://h/custom/{token}/x") == "http://h/custom/{token}/x"
    assert api_file_url("http://127.0.0.1:8081") == "http://127.0.0.1:8081/file/bot"
