"""Webhook mode: Telegram's secret header is checked; several Applications share one database (issue 5)."""
from __future__ import annotations

import asyncio
import json
import socket

import httpx
from sqlalchemy import select

from bot.app import api_base_url, api_file_url
from db.models import Booking, User as UserRow
from tests.driver import User
from tests.fake_telegram import FakeTelegram

SECRET = "s3cret-Token_123"


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
