"""Notices to many attendees: nothing lost to a crash, nobody told twice, flood limits waited out
(issue 5). They are written with the change that causes them and sent by the outbox worker."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot import outbox as worker
from db import outbox
from db.models import OutboxMessage, utcnow
from tests.conftest import ADMIN_ID
from tests.driver import User
from tests.fake_telegram import FakeTelegram
from tests.test_admin_manage import book, open_card

ATTENDEES = (1001, 1002, 1003)


async def _cancel_event_as_admin(app, api, db, add_event) -> int:
    event = await add_event("Jazz Night", hall="3x5")
    for n, uid in enumerate(ATTENDEES, start=1):
        await book(db, uid, event.id, [f"A{n}"])
    admin = User(app, api, ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    await admin.tap("Cancel event")
    await admin.tap("Yes, cancel the event")
    return event.id


def _told(api: FakeTelegram, chat_id: int) -> int:
    return len([c for c in api.sent("sendMessage", chat_id) if "cancelled" in c.text])


async def test_notices_queued_before_a_crash_are_sent_by_the_restarted_bot(make_app, db, add_event):
    before_crash = FakeTelegram()
    app = await make_app(before_crash)
    await worker.stop_worker(app)  # the process "dies" right after the admin's tap committed
    await _cancel_event_as_admin(app, before_crash, db, add_event)
    assert all(_told(before_crash, uid) == 0 for uid in ATTENDEES)

    after_restart = FakeTelegram()
    restarted = await make_app(after_restart)
    await worker.drain_all(restarted)
    assert [_told(after_restart, uid) for uid in ATTENDEES] == [1, 1, 1]
    assert any("Delivered: 3 of 3" in c.text for c in after_restart.sent("sendMessage", ADMIN_ID))

    # A third process finds nothing left to send.
    third = FakeTelegram()
    await worker.drain_all(await make_app(third))
    assert not third.sent("sendMessage")


async def test_the_same_cancel_delivered_twice_tells_nobody_twice(app, api, db, add_event):
    await worker.stop_worker(app)
    event = await add_event("Jazz Night", hall="3x5")
    for n, uid in enumerate(ATTENDEES, start=1):
        await book(db, uid, event.id, [f"A{n}"])
    admin = User(app, api, ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    await admin.tap("Cancel event")
    yes = admin.tap_update(admin.button("Yes, cancel the event")["callback_data"])
    await app.process_update(yes)
    assert "Event cancelled" in admin.screen()
    queued = await _outbox(db)
    assert sorted(chat for chat, _ in queued) == sorted(ATTENDEES)

    await app.process_update(yes)  # Telegram delivers the very same tap again
    again = yes.callback_query.to_dict()  # and the organiser taps the old button once more
    await admin.tap(data=again["data"], message=again["message"])
    assert "already cancelled" in admin.screen()
    assert await _outbox(db) == queued  # nothing more queued

    await worker.drain_all(app)
    await worker.drain_all(app)
    assert [_told(api, uid) for uid in ATTENDEES] == [1, 1, 1]
    assert len([c for c in api.sent("sendMessage", ADMIN_ID) if "Delivered: 3 of 3" in c.text]) == 1
    assert {status for _, status in await _outbox(db)} == {"sent"}


async def _outbox(db) -> list[tuple[int, str]]:
    async with db.read() as session:
        rows = await session.execute(select(OutboxMessage.chat_id, OutboxMessage.status).order_by(OutboxMessage.id))
        return [tuple(r) for r in rows]


async def test_notices_claimed_by_a_worker_that_died_are_sent_once_its_lease_lapses(make_app, db, add_event):
    before_crash = FakeTelegram()
    app = await make_app(before_crash)
    await worker.stop_worker(app)
    await _cancel_event_as_admin(app, before_crash, db, add_event)
    dead = "old-host-4242-dead"
    async with db.write() as session:  # a worker takes the notices for sending, then its process dies
        claimed = await outbox.claim(session, worker=dead, limit=20, lease=timedelta(seconds=1))
    assert len(claimed) == len(ATTENDEES)
    lapses = utcnow() + timedelta(seconds=1)

    after_restart = FakeTelegram()
    restarted = await make_app(after_restart)
    await worker.stop_worker(restarted)
    assert await worker.drain_once(restarted) == 0  # the holder may just be slow: its lease still runs
    assert not after_restart.sent("sendMessage")

    await asyncio.sleep((lapses - utcnow()).total_seconds() + 0.05)  # nobody renews it: it lapses
    await worker.drain_all(restarted, timeout=10)
    assert [_told(after_restart, uid) for uid in ATTENDEES] == [1, 1, 1]
    assert any("Delivered: 3 of 3" in c.text for c in after_restart.sent("sendMessage", ADMIN_ID))
    async with db.read() as session:
        rows = (await session.execute(select(OutboxMessage.attempts, OutboxMessage.claimed_by)
                                      .where(OutboxMessage.chat_id.in_(ATTENDEES)))).all()
    # The dead worker's try and the one that got through, by the restarted bot's worker.
    assert [tuple(r) for r in rows] == [(2, worker.worker_of(restarted).id)] * 3

    # Were the "dead" worker only stalled, its late record changes nothing.
    async with db.write() as session:
        assert not await outbox.settle(session, claimed[0].id, outbox.FAILED, worker=dead)
    assert {status for _, status in await _outbox(db)} == {"sent"}


async def test_the_outbox_key_is_unique_in_the_database(db):
    letter = outbox.Letter("cancel:1:1001", 1001, "first")
    for text in ("first", "second"):  # two transactions queue the same notice
        async with db.write() as session:
            await outbox.enqueue(session, [outbox.Letter(letter.key, 1001, text)])
    async with db.write() as session:  # and one queues it twice at once
        await outbox.enqueue(session, [letter, letter])
    async with db.read() as session:
        rows = (await session.execute(select(OutboxMessage.key, OutboxMessage.text))).all()
    assert [tuple(r) for r in rows] == [("cancel:1:1001", "first")]

    with pytest.raises(IntegrityError):  # the database itself refuses a second row, however it is written
        async with db.write() as session:
            session.add(OutboxMessage(key=letter.key, chat_id=1001, text="third"))


async def test_flood_control_is_waited_out_and_nothing_is_lost(app, api, db, add_event):
    await worker.stop_worker(app)
    await _cancel_event_as_admin(app, api, db, add_event)
    api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, times=2)
    api.fail("sendMessage", 502, "Bad Gateway", times=1)
    await worker.drain_all(app)
    assert [_told(api, uid) for uid in ATTENDEES] == [1, 1, 1]
