"""/healthz and /metrics (bot/web.py, bot/metrics.py), read as a load balancer and Prometheus read them:
over HTTP from the bot's own web server, with updates arriving as Telegram sends them."""
from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from telegram import Update
from telegram.error import BadRequest, TimedOut
from telegram.ext import TypeHandler

from bot.app import build_application
from bot.metrics import metrics_of
from bot.web import serving, web_app
from db.session import Database
from tests.conftest import PG_URL, TOKEN
from tests.driver import User
from tests.fake_server import FakeBotApiServer
from tests.test_webhook import _stop_bot
from tests.fake_telegram import TIMEOUT
from tests.helpers import book_seat, seats_of
from tests.test_webhook import _all_handled, _free_port, _until


@asynccontextmanager
async def web(app) -> AsyncIterator[httpx.AsyncClient]:
    """The bot's web server (webhook without a secret, /healthz, /metrics) and a client for it."""
    async with serving(web_app(app, webhook_path="telegram"), "127.0.0.1", 0) as listening:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{listening.port}") as client:
            yield client


def sample(text: str, name: str, **labels: str) -> float | None:
    """One sample's value from Prometheus text (None when it is absent)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return None


async def scrape(client: httpx.AsyncClient) -> str:
    answer = await client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


async def test_metrics_parse_and_move_with_traffic(make_app, api, db, add_event):
    event = await add_event("Jazz Night", hall="1x3")
    app = await make_app(rate_limiter=True)
    alice = User(app, api, 1001)
    async with web(app) as client:
        before = await scrape(client)
        assert sample(before, "eventbot_database_up") == 1
        for kind in ("message", "command", "callback_query", "other"):
            assert sample(before, "eventbot_updates_total", kind=kind) == 0
        assert sample(before, "eventbot_update_seconds_count") == 0
        assert sample(before, "eventbot_inbox_pending") == 0 and sample(before, "eventbot_outbox_pending") == 0
        assert sample(before, "eventbot_bookings_total") == 0 and sample(before, "eventbot_cancellations_total") == 0

        # A plain message, two /events and a tap, as Telegram posts them.
        for update in (alice.message_update("hello"), alice.message_update("/events"),
                       alice.message_update("/events")):
            assert (await client.post("/telegram", json=update.to_dict())).status_code == 200
            await _until(lambda: _all_handled(db), "the update to be handled")
        tap = alice.tap_update(alice.button("Jazz Night")["callback_data"])
        assert (await client.post("/telegram", json=tap.to_dict())).status_code == 200
        await _until(lambda: _all_handled(db), "the tap to be handled")
        after = await scrape(client)
        assert sample(after, "eventbot_updates_total", kind="command") == 2
        assert sample(after, "eventbot_updates_total", kind="message") == 1
        assert sample(after, "eventbot_updates_total", kind="callback_query") == 1
        assert sample(after, "eventbot_update_seconds_count") == 4

        # A booking and its cancellation, from the database: counted whoever made them.
        seats = await seats_of(db, event.id)
        await book_seat(alice, event.id, seats["A1"])
        await book_seat(alice, event.id, seats["A2"])
        await alice.send("/mybookings")
        await alice.tap("Cancel A1")
        await alice.tap("Yes, cancel it")
        booked = await scrape(client)
        assert sample(booked, "eventbot_bookings_total") == 2
        assert sample(booked, "eventbot_cancellations_total") == 1

        # The Bot API's refusals, by method and code; a 429 the rate limiter waits out is still counted.
        api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        await app.bot.send_message(1001, "hello again")
        api.fail("sendMessage", 400, "Bad Request: chat not found")
        with pytest.raises(BadRequest):
            await app.bot.send_message(1001, "and again")
        api.fail("getChat", TIMEOUT, "")
        with pytest.raises(TimedOut):
            await app.bot.get_chat(1001)
        errors = await scrape(client)
        assert sample(errors, "eventbot_bot_api_429_total") == 1
        assert sample(errors, "eventbot_bot_api_errors_total", method="sendMessage", code="429") == 1
        assert sample(errors, "eventbot_bot_api_errors_total", method="sendMessage", code="400") == 1
        assert sample(errors, "eventbot_bot_api_errors_total", method="getChat", code="timeout") == 1
        assert TOKEN not in errors

    # Each Application counts its own: another one in the same process starts from nothing.
    other = await make_app()
    fresh = generate_latest(metrics_of(other).registry).decode()
    assert sample(fresh, "eventbot_updates_total", kind="command") == 0
    assert sample(fresh, "eventbot_bot_api_429_total") == 0


async def test_healthz_reports_the_backlog(make_app, api, db, add_event):
    await add_event("Jazz Night")
    app = await make_app()
    release = asyncio.Event()

    async def slow(update: Update, context) -> None:
        await release.wait()

    app.add_handler(TypeHandler(Update, slow), group=-100)
    async with web(app) as client:
        idle = await client.get("/healthz")
        assert idle.status_code == 200
        assert idle.json() == {"database": "ok", "inbox_pending": 0, "oldest_pending_seconds": 0,
                               "outbox_pending": 0}
        try:
            update = User(app, api, 1001).message_update("/events")
            assert (await client.post("/telegram", json=update.to_dict())).status_code == 200
            busy = (await client.get("/healthz")).json()
            assert busy["database"] == "ok" and busy["inbox_pending"] == 1 and busy["outbox_pending"] == 0
            assert busy["oldest_pending_seconds"] >= 0
            assert sample(await scrape(client), "eventbot_inbox_pending") == 1
        finally:
            release.set()
        await _until(lambda: _all_handled(db), "the update to be handled")
        assert (await client.get("/healthz")).json()["inbox_pending"] == 0


async def test_healthz_says_503_when_the_database_does_not_answer(settings, api, tmp_path):
    # A PostgreSQL server nobody listens for, or a SQLite file in a directory that isn't there.
    url = ("postgresql+asyncpg://postgres@127.0.0.1:1/eventbot" if PG_URL
           else f"sqlite+aiosqlite:///{tmp_path}/no/such/dir/bot.db")
    database = Database(url)
    app = build_application(settings.model_copy(update={"database_url": url}), database=database,
                            request=api, rate_limiter=False, migrate=False)
    try:
        async with web(app) as client:
            health = await client.get("/healthz")
            assert health.status_code == 503
            assert health.json()["database"] == "error"
            assert "Traceback" not in health.text
            # /metrics still answers: the scrape itself says the database is down.
            metrics = await scrape(client)
            assert sample(metrics, "eventbot_database_up") == 0
            assert sample(metrics, "eventbot_inbox_pending") is None
            assert sample(metrics, "eventbot_updates_total", kind="command") == 0
    finally:
        await database.dispose()


async def test_polling_mode_serves_healthz_and_metrics_on_http_port(tmp_path, database_url, add_event):
    """`eventbot run` polling, with HTTP_PORT set: the same /healthz and /metrics, and no webhook there."""
    await add_event("Jazz Night")
    port = _free_port()
    with FakeBotApiServer() as server:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "BOT_TOKEN": TOKEN,
               "DATABASE_URL": database_url, "TELEGRAM_BASE_URL": server.url, "DEFAULT_LANGUAGE": "en",
               "HTTP_PORT": str(port), "HTTP_LISTEN": "127.0.0.1"}
        bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                async def healthy() -> bool:  # 503 until the bot has prepared its database
                    try:
                        return (await client.get("/healthz")).status_code == 200
                    except httpx.ConnectError:  # the process is still starting
                        return False

                await _until(healthy, "/healthz to say ok", timeout=60)
                assert (await client.get("/healthz")).json()["database"] == "ok"

                profile = {"id": 1001, "is_bot": False, "first_name": "Alice", "language_code": "en"}
                server.push({"update_id": 1, "message": {
                    "message_id": 1, "date": 0, "chat": {"id": 1001, "type": "private"}, "from": profile,
                    "text": "/events", "entities": [{"type": "bot_command", "offset": 0, "length": 7}]}})
                await _until(lambda: server.calls("sendMessage"), "the answer")

                async def counted() -> bool:
                    return sample(await scrape(client), "eventbot_updates_total", kind="command") == 1

                await _until(counted, "the update to be counted")
                # Polling mode has no webhook: nothing reaches the bot through this port.
                assert (await client.post("/telegram", json={"update_id": 2})).status_code == 404
        finally:
            await _stop_bot(bot)  # a clean exit, no traceback, no token in what it printed
