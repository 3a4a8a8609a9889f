"""SQLite shared with another process: the connection settings, and what waits for the write lock."""
from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL
from tests.helpers import active_bookings, hall

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite only: the suite runs on PostgreSQL")


def _path(database_url: str) -> str:
    return make_url(database_url).database


async def test_every_connection_gets_wal_busy_timeout_foreign_keys_and_normal_sync(db):
    async with db.engine.connect() as connection:
        pragmas = {name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
                   for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")}
    # synchronous 1 is NORMAL: with WAL, a power cut may lose the last commits but never corrupts.
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 30_000, "foreign_keys": 1, "synchronous": 1}


async def test_a_write_takes_the_write_lock_when_it_begins_and_a_read_never_does(db, database_url):
    other = sqlite3.connect(_path(database_url), timeout=0, isolation_level=None)

    def other_process_can_write() -> bool:
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            assert "locked" in str(error)
            return False
        other.execute("ROLLBACK")
        return True

    try:
        async with db.read():
            assert other_process_can_write()
        # Before the first statement: BEGIN IMMEDIATE, so a read-then-write transaction can't
        # find the database changed under it and fail with "database is locked" half way.
        async with db.write():
            assert not other_process_can_write()
        assert other_process_can_write()
    finally:
        other.close()


async def test_a_booking_waiting_for_another_process_leaves_other_chats_answered(app, db, user, add_event,
                                                                                 database_url):
    """Another process holds SQLite's write lock. Alice's booking must wait for it, but only Alice's:
    Bob's /events (a read) is answered while the lock is still held, so the event loop never stood
    still. Were statements run in the loop's own thread, Bob would be answered only after the lock
    went (this test then fails on the order, not on a time)."""
    event = await add_event("Jazz Night", hall="2x5")
    alice, bob = user(1001, "Alice"), user(1002, "Bob")
    await bob.send("/events")  # Bob is known now, so his next /events only reads
    await alice.send(f"/start event_{event.id}")
    await alice.tap("Book a seat")
    free, _ = hall(alice.last())
    await alice.tap(data=free["A1"])
    assert "Please confirm" in alice.screen()

    order: list[str] = []
    holding, release = threading.Event(), threading.Event()

    def other_process() -> None:
        connection = sqlite3.connect(_path(database_url), isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        holding.set()
        # Held until Bob is answered; the bound only ends the test if the loop is frozen.
        release.wait(timeout=5)
        order.append("lock released")
        connection.execute("COMMIT")
        connection.close()

    holder = threading.Thread(target=other_process)
    holder.start()
    await asyncio.to_thread(holding.wait)

    waiting_for_lock = asyncio.Event()

    def on_statement(_connection, _cursor, statement, *_args) -> None:
        if statement == "BEGIN IMMEDIATE":
            waiting_for_lock.set()

    bot_engine = app.bot_data["db"].engine.sync_engine
    sa_event.listen(bot_engine, "before_cursor_execute", on_statement)
    try:
        confirm = asyncio.create_task(alice.tap("Confirm"))
        asking = asyncio.create_task(waiting_for_lock.wait())
        await asyncio.wait({confirm, asking}, return_when=asyncio.FIRST_COMPLETED)
        assert asking.done() and not confirm.done(), "Alice's booking asks for the write lock and waits"
        await bob.send("/events")
        order.append("bob answered")
        release.set()
        await confirm
    finally:
        release.set()
        await asyncio.to_thread(holder.join)
        sa_event.remove(bot_engine, "before_cursor_execute", on_statement)

    assert order == ["bob answered", "lock released"]
    assert "Upcoming events" in bob.screen() and "Jazz Night" in str(bob.buttons())
    # Alice's booking went through once the other process let go.
    assert "Booked!" in alice.screen()
    assert [label for _, _, label in await active_bookings(db, event.id)] == ["A1"]
