"""Webhook mode: Telegram's secret header is checked; several Applications share one database (issue 5)."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time

import httpx
from sqlalchemy import select

from bot.app import api_base_url, api_file_url
from db.models import Booking, User as UserRow
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


async def test_webhook_accepts_only_requests_with_the_secret(make_app, api, add_event):
    await add_event("Jazz Night")
    app = await make_app()
    port = _free_port()
    await app.updater.start_webhook(listen="127.0.0.1", port=port, url_path="telegram",
                                    webhook_url="https://bot.example.com/telegram", secret_token=SECRET)
    await app.start()
    alice = User(app, api, 1001)
    try:
        set_hook = api.sent("setWebhook")[-1]
        assert set_hook.params["secret_token"] == SECRET
        body = json.dumps(alice.message_update("/events").to_dict())
        async with httpx.AsyncClient() as client:
            url = f"http://127.0.0.1:{port}/telegram"
            headers = {"Content-Type": "application/json"}
            forged = await client.post(url, content=body, headers=headers)
            wrong = await client.post(url, content=body,
                                      headers={**headers, "X-Telegram-Bot-Api-Secret-Token": "guess"})
            assert forged.status_code == 403 and wrong.status_code == 403
            assert not api.sent("sendMessage")

            good = await client.post(url, content=body, headers={**headers, "X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert good.status_code == 200
        for _ in range(100):
            if api.sent("sendMessage"):
                break
            await asyncio.sleep(0.05)
        assert "Jazz Night" in str(api.last(1001)["reply_markup"])
    finally:
        await app.updater.stop()
        await app.stop()


async def test_eventbot_run_in_webhook_mode_registers_the_secret_and_refuses_requests_without_it(
        tmp_path, database_url, add_event):
    """`eventbot run` with WEBHOOK_URL set, as README's production section has it: the secret reaches
    Telegram's setWebhook (so Telegram sends it back) and the server refuses whoever lacks it."""
    await add_event("Jazz Night")
    port = _free_port()
    with FakeBotApiServer() as server:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "BOT_TOKEN": TOKEN,
               "DATABASE_URL": database_url, "TELEGRAM_BASE_URL": server.url, "DEFAULT_LANGUAGE": "en",
               "WEBHOOK_URL": "https://bot.example.com/telegram", "WEBHOOK_SECRET": SECRET,
               "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(port), "WEBHOOK_PATH": "telegram"}
        bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            await _until(lambda: server.calls("setWebhook"), "setWebhook")
            hook = server.calls("setWebhook")[-1].params
            assert hook["url"] == "https://bot.example.com/telegram"
            assert hook.get("secret_token") == SECRET

            profile = {"id": 1001, "is_bot": False, "first_name": "Alice", "language_code": "en"}
            body = json.dumps({"update_id": 1, "message": {
                "message_id": 1, "date": int(time.time()), "chat": {"id": 1001, "type": "private"}, "from": profile,
                "text": "/events", "entities": [{"type": "bot_command", "offset": 0, "length": 7}]}})
            url, headers = f"http://127.0.0.1:{port}/telegram", {"Content-Type": "application/json"}
            async with httpx.AsyncClient() as client:
                for _ in range(100):  # the server may still be binding its port
                    try:
                        missing = await client.post(url, content=body, headers=headers)
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.1)
                wrong = await client.post(url, content=body, headers={**headers, SECRET_HEADER: "guess"})
                assert missing.status_code == 403 and wrong.status_code == 403

                good = await client.post(url, content=body, headers={**headers, SECRET_HEADER: SECRET})
                assert good.status_code == 200
            await _until(lambda: server.calls("sendMessage"), "the answer")
            # One answer: had the refused requests reached the bot, this chat's answers to them
            # (handled in order) would be here before it.
            assert ["Upcoming events" in c.text for c in server.calls("sendMessage")] == [True]
        finally:
            bot.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(bot.wait(), 15)
            except asyncio.TimeoutError:
                bot.kill()
                raise AssertionError("the bot did not stop on SIGTERM")
        output = (await bot.stdout.read()).decode()
        assert "Traceback" not in output, output
        assert SECRET not in output and TOKEN not in output


async def _until(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_two_bot_processes_serve_one_user_alternately(make_app, db, add_event):
    """No state that matters lives in one process: seat keyboards, bookings, language."""
    await add_event("Jazz Night", hall="3x5")
    api_a, api_b = FakeTelegram(), FakeTelegram()
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
