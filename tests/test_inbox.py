"""The inbox (bot/intake.py, db/inbox.py): every update is stored before Telegram hears it arrived,
then handled from there, each chat's in order, with no batch barrier, by one worker per chat."""
from __future__ import annotations

import asyncio
import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.intake import intake_of
from db import inbox
from db.models import Booking, InboxUpdate
from tests.driver import User
from tests.fake_server import FakeBotApiServer
from tests.helpers import seats_of
from tests.test_intake import _chat, _until, polling_bot
from tests.test_webhook import _stop_bot


async def test_a_slow_update_delays_only_its_own_chat(settings, add_event):
    """Alice's update hangs (a lock wait, a 429 waited out); Bob, arriving later in another batch,
    is answered meanwhile; Alice's next update still waits for her first."""
    await add_event("Jazz Night")
    alice_started, release = asyncio.Event(), asyncio.Event()
    with FakeBotApiServer() as server:
        async with polling_bot(settings, server) as app:
            async def hang_alice(update: Update, context) -> None:
                if update.effective_user.id == 1001 and update.message.text == "/start":
                    alice_started.set()
                    await release.wait()

            app.add_handler(TypeHandler(Update, hang_alice), group=-100)
            alice, bob = User(app, server.api, 1001, "Alice"), User(app, server.api, 1002, "Bob")
            server.push(alice.message_update("/start").to_dict())
            await asyncio.wait_for(alice_started.wait(), 15)
            server.push(alice.message_update("/events").to_dict())
            server.push(bob.message_update("/events").to_dict())  # a later batch

            await _until(lambda: _chat(server, 1002), "Bob's answer while Alice's update hangs")
            assert _chat(server, 1001) == []  # Alice's second update waits for her first
            release.set()
            await _until(lambda: len(_chat(server, 1001)) == 2, "Alice's answers")
            first, second = _chat(server, 1001)
            assert "Hi, Alice" in first and "Upcoming events" in second


async def test_an_update_delivered_twice_is_handled_once(app, api, add_event):
    await add_event("Jazz Night")
    alice = User(app, api, 1001)
    update = alice.message_update("/events")
    intake = intake_of(app)
    await intake.accept([update])
    await intake.accept([update])  # Telegram delivers it again (a lost acknowledgement)
    await _until(lambda: api.sent("sendMessage", chat_id=1001), "the answer")
    await _until(lambda: intake.busy_chats == 0, "the chat to be handed back")
    assert len(api.sent("sendMessage", chat_id=1001)) == 1


async def test_updates_stored_but_not_handled_are_handled_after_a_restart(app, api, db, add_event, make_app):
    """A worker stored a batch and died before handling it: the next one finds it in the inbox."""
    await add_event("Jazz Night")
    alice, bob = User(app, api, 1001, "Alice"), User(app, api, 1002, "Bob")
    stored = [alice.message_update("/start"), alice.message_update("/events"), bob.message_update("/mybookings")]
    async with db.queue() as session:  # as accept() stores them, minus the handling
        await inbox.store(session, [inbox.Delivered(u.update_id, u.effective_chat.id, u.to_dict()) for u in stored])

    await _until(lambda: len(api.chat(1001)) == 2 and api.chat(1002), "the stored updates to be handled")
    first, second = (m["text"] for m in api.chat(1001))
    assert "Hi, Alice" in first and "Upcoming events" in second
    # The answer goes out before its update is marked done: wait for the mark, don't race it.
    deadline = time.monotonic() + 15
    while True:
        async with db.queue_read() as session:
            if (await inbox.backlog(session)).pending == 0:
                break
        assert time.monotonic() < deadline, "the handled updates were never marked done"
        await asyncio.sleep(0.05)


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="several workers share one inbox on PostgreSQL only (SQLite is one process)")
async def test_two_workers_share_the_inbox_one_chat_at_a_time(make_app, api, db, add_event, monkeypatch):
    event = await add_event("Sell-out", hall="3x4")
    seats = await seats_of(db, event.id)
    first, second = await make_app(), await make_app()
    running: dict[int, str] = {}
    overlaps: list[int] = []
    order: dict[int, list[int]] = {}
    workers: set[str] = set()

    def watch(worker: str):
        async def before(update: Update, context) -> None:
            chat = update.effective_chat.id
            if chat in running:
                overlaps.append(chat)
            running[chat] = worker
            workers.add(worker)
            order.setdefault(chat, []).append(update.update_id)
            await asyncio.sleep(0.01)  # long enough for the other worker to try the same chat
            del running[chat]
        return before

    first.add_handler(TypeHandler(Update, watch("first")), group=-100)
    second.add_handler(TypeHandler(Update, watch("second")), group=-100)
    fans = [User(first, api, 80_000 + n, f"Fan {n}") for n in range(40)]
    updates = []
    for n, fan in enumerate(fans):
        seat_id = list(seats.values())[n % len(seats)]
        screen = api._new_message(fan.id, text="the hall")  # the message their taps are on
        updates += [fan.message_update("/events"), fan.tap_update(f"st:pick:{event.id}:{seat_id}", screen),
                    fan.tap_update(f"bk:ok:{event.id}:{seat_id}", screen)]
    # Stored by one worker, in two batches; the other worker's scan finds the chats it is not handling.
    await intake_of(first).accept(updates[: len(updates) // 2])
    await intake_of(second).accept(updates[len(updates) // 2:])

    async def backlog() -> int:
        async with db.queue_read() as session:
            return (await inbox.backlog(session)).pending

    deadline = time.monotonic() + 60
    while await backlog():
        assert time.monotonic() < deadline, "the burst was not handled"
        await asyncio.sleep(0.1)
    assert workers == {"first", "second"}  # both worked
    assert not overlaps, "a chat's updates ran on two workers at once"
    for fan in fans:
        ids = order[fan.id]
        assert ids == sorted(ids) and len(ids) == 3  # each update once, in order
    async with db.read() as session:
        per_seat = (await session.execute(select(Booking.seat_id, func.count()).where(
            Booking.status == "confirmed").group_by(Booking.seat_id))).all()
    assert per_seat and all(n == 1 for _, n in per_seat)  # never oversold


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="several workers share one inbox on PostgreSQL only (SQLite is one process)")
async def test_a_dead_workers_chats_are_taken_over(make_app, api, db, add_event, monkeypatch):
    monkeypatch.setattr(inbox, "LEASE", timedelta(seconds=1))
    await add_event("Jazz Night")
    doomed, survivor = await make_app(), await make_app()
    stuck = asyncio.Event()

    async def hang(update: Update, context) -> None:
        stuck.set()
        await asyncio.Event().wait()  # the worker dies with this update in hand

    doomed.add_handler(TypeHandler(Update, hang), group=-100)
    alice = User(doomed, api, 1001, "Alice")
    updates = [alice.message_update("/start"), alice.message_update("/events")]
    intake = intake_of(doomed)
    await intake.accept(updates)
    await asyncio.wait_for(stuck.wait(), 15)
    for task in [*intake._background, *intake._chats.values()]:  # killed: no clean hand-over
        task.cancel()

    await _until(lambda: len(api.chat(1001)) == 2, "the survivor to take the chat over", timeout=20)
    first, second = (m["text"] for m in api.chat(1001))
    assert "Hi, Alice" in first and "Upcoming events" in second
    async with db.queue_read() as session:
        handled = (await session.execute(select(func.count()).select_from(InboxUpdate)
                                          .where(InboxUpdate.done_at.is_not(None)))).scalar_one()
    assert handled == 2


async def test_a_worker_that_does_not_poll_handles_what_the_poller_stored(tmp_path, database_url, db, add_event):
    """POLL_UPDATES=false: the process never calls getUpdates, and answers the updates another
    process (here: the test) stored in the shared inbox."""
    import sys

    from tests.conftest import TOKEN

    await add_event("Jazz Night")
    with FakeBotApiServer() as server:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "BOT_TOKEN": TOKEN,
               "DATABASE_URL": database_url, "TELEGRAM_BASE_URL": server.url, "LOG_LEVEL": "WARNING",
               "DEFAULT_LANGUAGE": "en", "POLL_UPDATES": "false"}
        bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            alice = {"id": 1001, "is_bot": False, "first_name": "Alice", "language_code": "en"}
            update = {"update_id": 5001, "message": {
                "message_id": 1, "date": int(time.time()), "chat": {"id": 1001, "type": "private"}, "from": alice,
                "text": "/events", "entities": [{"type": "bot_command", "offset": 0, "length": 7}]}}
            await db.prepare_inbox()
            async with db.queue() as session:
                await inbox.store(session, [inbox.Delivered(5001, 1001, update)])
            await _until(lambda: _chat(server, 1001), "the stored update to be answered", timeout=30)
            assert "Upcoming events" in _chat(server, 1001)[0]
            with server.lock:
                assert not server.api.sent("getUpdates")
        finally:
            await _stop_bot(bot)  # a clean exit, no traceback, no token in what it printed


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite's file lock; PostgreSQL locks rows")
async def test_updates_are_stored_and_answered_while_another_process_holds_the_write_lock(
        app, api, db, add_event, database_url):
    """A backup, a migration or the sqlite3 shell holds the events database's write lock. Alice's
    Confirm, taken in through the inbox, waits for it; Bob's /events and card, arriving after, are
    stored and answered while the lock is still held; Alice is booked once it is released."""
    import sqlite3
    import threading

    from tests.helpers import active_bookings, hall

    event = await add_event("Jazz Night", hall="2x5")
    alice, bob = User(app, api, 1001, "Alice"), User(app, api, 1002, "Bob")
    await bob.send("/events")
    await alice.send(f"/start event_{event.id}")
    await alice.tap("Book a seat")
    free, _ = hall(alice.last())
    await alice.tap(data=free["A1"])
    confirm = alice.tap_update(alice.button("Confirm")["callback_data"])

    holding, release, order = threading.Event(), threading.Event(), []

    def other_process() -> None:
        connection = sqlite3.connect(database_url.split("///", 1)[1], isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        holding.set()
        release.wait(timeout=10)  # the bound only ends the test if the bot is stuck
        order.append("lock released")
        connection.execute("COMMIT")
        connection.close()

    holder = threading.Thread(target=other_process)
    holder.start()
    await asyncio.to_thread(holding.wait)
    intake = intake_of(app)
    try:
        await intake.accept([confirm])
        bob_sent = len(api.chat(1002))
        await intake.accept([bob.message_update("/events")])
        await _until(lambda: len(api.chat(1002)) > bob_sent, "Bob's answer while the lock is held")
        await bob.tap("Jazz Night")
        order.append("bob answered")
        assert "Booked!" not in alice.screen()  # Alice's booking is still waiting for the lock
    finally:
        release.set()
        await asyncio.to_thread(holder.join)
    await _until(lambda: "Booked!" in alice.screen(), "Alice's booking after the lock went")
    assert order == ["bob answered", "lock released"]
    assert [label for _, _, label in await active_bookings(db, event.id)] == ["A1"]


async def test_updates_taken_in_before_the_bot_is_ready_wait_for_it(app, api, db, add_event):
    """A webhook can be posted to before post_init has run (a restart while Telegram keeps sending):
    such updates are stored, not handed to a half-started bot, and handled once it has started."""
    from bot.intake import Intake

    await add_event("Jazz Night")
    early = Intake(app, worker="early-worker")
    update = User(app, api, 1001).message_update("/events")
    await intake_of(app).stop()  # only the early intake runs from here
    await early.accept([update])
    async with db.queue_read() as session:
        assert (await inbox.backlog(session)).pending == 1
    assert not api.chat(1001)
    early.start()
    try:
        await _until(lambda: api.chat(1001), "the stored update once the bot is ready")
    finally:
        await early.stop()
    assert "Upcoming events" in api.chat(1001)[0]["text"]


def test_a_worker_of_this_machine_whose_process_is_gone_is_known_dead():
    """Its chats are taken back at start instead of after the lease (a crash and restart on one host)."""
    from bot.intake import _host, died_here, worker_name

    me = worker_name()
    gone = next(pid for pid in range(4_000_000, 4_100_000) if not os.path.exists(f"/proc/{pid}"))
    assert died_here(f"{_host()}-{gone}-abc123", me)
    assert died_here(f"{_host()}-{os.getpid()}-abc123", me)  # this very PID under another name: a restart
    assert not died_here(me, me)
    assert not died_here(f"{_host()}-1-abc123", me)  # alive (init)
    assert not died_here(f"another-host-{gone}-abc123", me)  # another machine's: only its lease tells
