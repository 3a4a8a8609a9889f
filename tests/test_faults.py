"""Faults from "Updates in, durably, and faults handled": a database short of connections or down, Bot
API answers lost on the way back, a database the bot can't write to at start, and secrets at DEBUG."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event, exc as sqlalchemy_errors, func, select

import db.events
import db.users
from bot.config import Settings
from bot.logs import setup
from db.migrate import upgrade_sync
from db.models import Booking
from tests.conftest import TOKEN
from tests.driver import User
from tests.fake_server import FakeBotApiServer
from tests.fake_telegram import DROPPED, TIMEOUT
from views.texts import t

OPERATORS = -1001234567890


def welcome(lang: str, name: str) -> str:
    return t(lang, "start.welcome", name=name)


# --- 1. the connection pool: a burst queues for connections instead of failing --------------------

async def test_a_burst_of_users_queues_for_the_one_connection_the_pool_allows(make_app, api):
    """30 people send /start at once to a bot whose pool is one connection (DATABASE_POOL_SIZE=1,
    DATABASE_MAX_OVERFLOW=0): each is welcomed, none apologised to, and the bot never holds a second
    connection. With the pool unsized (10 + 20) a burst like this ran PostgreSQL out of clients."""
    app = await make_app(database_pool_size=1, database_max_overflow=0)
    engine = app.bot_data["db"].engine.sync_engine
    in_use = most_in_use = 0

    def checkout(*_):
        nonlocal in_use, most_in_use
        in_use += 1
        most_in_use = max(most_in_use, in_use)

    def checkin(*_):
        nonlocal in_use
        in_use -= 1

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    people = [User(app, api, 5000 + i, f"Guest{i}") for i in range(30)]

    await asyncio.gather(*(person.send("/start") for person in people))

    for person in people:
        assert [m["text"] for m in api.chat(person.id)] == [welcome("en", person.profile["first_name"])]
    assert most_in_use == 1, "the pool's size reached the engine"


# --- 2. the per-update user lookup fails: one apology in the user's Telegram language, nothing else ----

LOOKUP_FAILURES = {
    "database down": sqlalchemy_errors.OperationalError(
        "SELECT users.first_name ...", {}, ConnectionRefusedError(111, "Connect call failed")),
    "out of connections": sqlalchemy_errors.TimeoutError(
        "QueuePool limit of size 1 overflow 0 reached, connection timed out, timeout 60.00"),
    "refused before SQLAlchemy wraps it": ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
}


def break_lookup(monkeypatch, error: Exception) -> None:
    async def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(db.users, "remember", broken)


@pytest.mark.parametrize("failure", LOOKUP_FAILURES)
async def test_a_failed_user_lookup_ends_a_tap_with_one_apology_in_the_users_language(
        make_app, api, db, add_event, monkeypatch, caplog, failure):
    """An English user of a bot whose default language is Russian taps Confirm while the lookup of
    who is writing fails: one alert, in English; no booking, no "Booked!"."""
    app = await make_app(default_language="ru", operator_chat_id=OPERATORS)
    await add_event("Jazz Night", hall="3x5")
    alice = User(app, api, 1001, "Alice", "en")
    await alice.send("/events")
    await alice.tap("Jazz Night")
    await alice.tap("Book a seat")
    await alice.tap(data=alice.button("3")["callback_data"])
    assert alice.has_button("Confirm")
    confirm_screen = alice.screen()
    break_lookup(monkeypatch, LOOKUP_FAILURES[failure])

    calls = await alice.tap("Confirm")

    told = [c for c in calls if c.chat_id != OPERATORS]
    assert [(c.method, c.params.get("text"), c.params.get("show_alert")) for c in told] == [
        ("answerCallbackQuery", t("en", "error"), True)]
    assert alice.screen() == confirm_screen and "Booked" not in alice.screen()
    async with db.read() as session:
        assert (await session.execute(select(func.count()).select_from(Booking))).scalar_one() == 0
    [report] = [m["text"] for m in api.chat(OPERATORS)]
    first_line = report.splitlines()[0]
    assert type(LOOKUP_FAILURES[failure]).__name__ in first_line and "handlers/users.py" in first_line, \
        "the operators hear of the cause, not of a wrapper"
    assert [r.levelno for r in caplog.records if r.name == "handlers.errors"] == [logging.ERROR]


async def test_a_failed_user_lookup_ends_a_command_with_one_apology_in_the_users_language(
        make_app, api, monkeypatch):
    app = await make_app(default_language="ru")
    break_lookup(monkeypatch, LOOKUP_FAILURES["database down"])
    alice, ivan = User(app, api, 1001, "Alice", "en-GB"), User(app, api, 2002, "Иван", "kk")

    alice_calls = await alice.send("/mybookings")
    ivan_calls = await ivan.send("/start")

    assert [(c.method, c.text) for c in alice_calls] == [("sendMessage", t("en", "error"))]
    assert [(c.method, c.text) for c in ivan_calls] == [("sendMessage", t("ru", "error"))]


async def test_when_the_database_fails_later_the_apology_is_still_in_the_users_language(
        make_app, api, monkeypatch):
    """The lookup worked, then the handler's own query failed and so did the error handler's second
    look at the user's language: the apology follows Telegram's language, not the bot's default."""
    app = await make_app(default_language="ru")
    alice = User(app, api, 1001, "Alice", "en")

    async def down(*args, **kwargs):
        raise sqlalchemy_errors.OperationalError("SELECT ...", {}, ConnectionResetError("gone"))

    monkeypatch.setattr(db.events, "upcoming_page", down)
    monkeypatch.setattr("handlers.errors.get_language", down)

    calls = await alice.send("/events")

    assert [(c.method, c.text) for c in calls] == [("sendMessage", t("en", "error"))]


# --- 3. a Bot API answer lost after Telegram delivered: the user saw the reply, no apology after it ----

@pytest.mark.parametrize("lost", [TIMEOUT, DROPPED], ids=["timed out", "connection dropped"])
async def test_a_reply_whose_answer_is_lost_is_not_followed_by_an_apology(make_app, api, add_event, caplog, lost):
    app = await make_app(operator_chat_id=OPERATORS)
    await add_event("Jazz Night")
    alice = User(app, api, 1001)
    api.fail("sendMessage", lost, delivered=True)

    await alice.send("/events")

    [reply] = api.chat(alice.id)
    assert "Upcoming events" in reply["text"] and "Jazz Night" in str(reply["reply_markup"])
    assert not api.chat(OPERATORS), "Telegram being slow is not our failure to report"
    [warning] = [r for r in caplog.records if r.name == "handlers.errors"]
    assert warning.levelno == logging.WARNING and "not apologising" in warning.getMessage()


# --- 4. a database the bot can't use at start: one clear line, no traceback, a failing status --------

def run_eventbot(cwd: Path, command: str, **env: str) -> tuple[int, str]:
    """`python -m bot <command>` in a clean environment, as an operator runs it; its exit status and
    everything it printed (stdout and stderr)."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), "BOT_TOKEN": TOKEN,
             # Were the database check to let it through, `run` would stop at this Bot API, nobody's.
             "TELEGRAM_BASE_URL": "http://127.0.0.1:9", **env}
    done = subprocess.run([sys.executable, "-m", "bot", command], cwd=cwd, env=clean, capture_output=True,
                          text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr


def only_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in output, output
    return lines[0]


@pytest.mark.parametrize("read_only", ["file and folder chmod", "opened with mode=ro"])
def test_a_sqlite_file_the_bot_cannot_write_stops_the_start_with_one_line(tmp_path, read_only):
    """Reads alone work on a read-only file, so the bot used to start, show /events, and then fail
    every new user and every booking."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "bot.db"
    upgrade_sync(f"sqlite+aiosqlite:///{path}")  # a working database, up to date
    url = f"sqlite+aiosqlite:///{path}"
    if read_only == "opened with mode=ro":
        url = f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"
    elif os.geteuid() == 0:
        pytest.skip("running as root, whom file modes don't stop from writing; the mode=ro case "
                    "covers a read-only database")
    else:
        path.chmod(0o444)
        folder.chmod(0o555)
    try:
        status, output = run_eventbot(tmp_path, "run", DATABASE_URL=url)
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)

    assert status != 0
    line = only_line(output)
    assert line.startswith(f"eventbot: cannot use the database ({url}): "), line
    assert "readonly" in line or "unable to open" in line, line


@pytest.mark.parametrize("command", ["run", "migrate", "demo"])
def test_postgresql_down_at_start_is_one_line_with_the_password_hidden(tmp_path, command):
    port = free_port()  # nothing listens there
    status, output = run_eventbot(
        tmp_path, command, DATABASE_URL=f"postgresql+asyncpg://eventbot:Pa55-word@127.0.0.1:{port}/eventbot")

    assert status != 0
    line = only_line(output)
    assert line.startswith(f"eventbot: cannot use the database (postgresql+asyncpg://eventbot:***@127.0.0.1:{port}"
                           "/eventbot): "), line
    assert "Pa55-word" not in output


# --- 5. secrets stay out of the logs at every level ------------------------------------------------

SECRET = "s3cret-Token_123"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def until(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_at_debug_a_webhook_bot_logs_neither_the_token_nor_the_webhook_secret(tmp_path, database_url):
    """PTB logs every Bot API call's parameters at DEBUG, setWebhook's secret_token among them."""
    port = free_port()
    with FakeBotApiServer() as server:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "BOT_TOKEN": TOKEN,
               "DATABASE_URL": database_url, "TELEGRAM_BASE_URL": server.url, "LOG_LEVEL": "DEBUG",
               "WEBHOOK_URL": "https://bot.example.com/telegram", "WEBHOOK_SECRET": SECRET,
               "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(port), "WEBHOOK_PATH": "telegram"}
        bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        output = asyncio.create_task(bot.stdout.read())  # read all along: DEBUG fills a pipe's buffer
        try:
            await until(lambda: server.calls("setWebhook"), "setWebhook")
            assert server.calls("setWebhook")[-1].params.get("secret_token") == SECRET
            update = {"update_id": 1, "message": {
                "message_id": 1, "date": int(time.time()), "chat": {"id": 1001, "type": "private"},
                "from": {"id": 1001, "is_bot": False, "first_name": "Alice", "language_code": "en"},
                "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
            async with httpx.AsyncClient() as client:
                for _ in range(100):  # the server may still be binding its port
                    try:
                        answer = await client.post(f"http://127.0.0.1:{port}/telegram", json=update,
                                                   headers={SECRET_HEADER: SECRET})
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.1)
            assert answer.status_code == 200
            await until(lambda: server.calls("sendMessage"), "the answer to /start")
        finally:
            bot.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(bot.wait(), 30)
            except asyncio.TimeoutError:
                bot.kill()
                raise AssertionError("the bot did not stop on SIGTERM")
        logged = (await output).decode()

    assert "Calling Bot API endpoint `setWebhook`" in logged and "<WEBHOOK_SECRET>" in logged, \
        "DEBUG logged setWebhook's parameters, the secret scrubbed"
    assert SECRET not in logged
    assert TOKEN not in logged and TOKEN.split(":")[1] not in logged


def test_every_secret_is_scrubbed_from_log_records_and_operator_reports(capsys):
    password = "p@ss/w0rd"
    settings = Settings(_env_file=None, bot_token=TOKEN, webhook_secret=SECRET,
                        database_url="postgresql+asyncpg://eventbot:p%40ss%2Fw0rd@db-host:5432/eventbot")
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup("DEBUG", settings.secrets())
        logging.getLogger("telegram.ext.ExtBot").debug(
            "Calling Bot API endpoint `setWebhook` with parameters `%s`", {"secret_token": SECRET})
        logging.getLogger("eventbot").debug("connecting to %s as %s", settings.database_url, password)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    err = capsys.readouterr().err
    assert "{'secret_token': '<WEBHOOK_SECRET>'}" in err
    assert "eventbot:<DATABASE_PASSWORD>@db-host:5432/eventbot as <DATABASE_PASSWORD>" in err
    report = settings.redact(f"POST https://api.telegram.org/bot{TOKEN}/setWebhook secret_token={SECRET}")
    assert report == "POST https://api.telegram.org/bot<BOT_TOKEN>/setWebhook secret_token=<WEBHOOK_SECRET>"


@pytest.mark.parametrize("lost", [TIMEOUT, DROPPED], ids=["timed out", "connection dropped"])
async def test_a_tap_whose_answer_is_lost_still_books_and_shows_it(make_app, api, db, add_event, lost):
    """Confirm answers the tap (the "Booked" alert) before it edits the screen: when that answer's
    reply is lost, the booking is made all the same, and the user sees "Booked!" and no apology."""
    app = await make_app()
    await add_event("Jazz Night", hall="3x5")
    alice = User(app, api, 1001)
    await alice.send("/events")
    await alice.tap("Jazz Night")
    await alice.tap("Book a seat")
    await alice.tap(data=alice.button("3")["callback_data"])
    api.fail("answerCallbackQuery", lost, delivered=True)

    calls = await alice.tap("Confirm")

    assert "Booked" in alice.screen()
    assert t("en", "error") not in [c.text for c in calls]
    async with db.read() as session:
        assert (await session.execute(select(func.count()).select_from(Booking))).scalar_one() == 1
