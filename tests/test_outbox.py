"""Notices to many attendees: nothing lost to a crash, nobody told twice, flood limits waited out
(issue 5). They are written with the change that causes them and sent by the outbox worker."""
from __future__ import annotations

from sqlalchemy import select

from bot import outbox as worker
from db.models import OutboxMessage
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
    await _cancel_event_as_admin(app, api, db, add_event)
    admin = User(app, api, ADMIN_ID, "Olga")
    confirm = [b for b in admin.buttons() if "Yes" in b["text"]]
    if confirm:  # an old confirm button tapped again
        await admin.tap(data=confirm[0]["callback_data"])
    await worker.drain_all(app)
    await worker.drain_all(app)
    assert [_told(api, uid) for uid in ATTENDEES] == [1, 1, 1]
    async with db.read() as session:
        rows = (await session.execute(select(OutboxMessage.chat_id, OutboxMessage.status))).all()
    assert sorted(r.chat_id for r in rows if r.chat_id != ADMIN_ID) == list(ATTENDEES)
    assert all(r.status == "sent" for r in rows)


async def test_flood_control_is_waited_out_and_nothing_is_lost(app, api, db, add_event):
    await worker.stop_worker(app)
    await _cancel_event_as_admin(app, api, db, add_event)
    api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, times=2)
    api.fail("sendMessage", 502, "Bad Gateway", times=1)
    await worker.drain_all(app)
    assert [_told(api, uid) for uid in ATTENDEES] == [1, 1, 1]
