"""Faults from "Updates in, durably, and faults handled": a database short of connections or down, Bot
API answers lost on the way back, a database the bot can't write to at start, and secrets at DEBUG."""
from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import event, exc as sqlalchemy_errors, func, select

import db.users
from db.models import Booking
from handlers.errors import error_reports
from tests.driver import User
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
    import db.events

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
