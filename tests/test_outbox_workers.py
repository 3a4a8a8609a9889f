"""Several outbox workers on one database, and Telegram answering late or with 429 (issue "Updates
in, durably, and faults handled"): a claim is a lease its worker keeps alive while it works, so
each attendee is told exactly once; only a worker that dies leaves its messages to another. And the
pace is SEND_RATE sends a second, counted at the Bot API.

The workers are the real ones (bot/outbox.py's drain loop) of two Applications over one fake Bot
API; the lease is shortened so that the faults outlast it.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, select, text

from bot import outbox as worker
from db import outbox
from db.migrate import upgrade_sync
from db.models import OutboxMessage, UTCDateTime, utcnow
from tests.conftest import ADMIN_ID
from tests.fake_telegram import FakeTelegram
from tests.test_schema import empty_database, on  # noqa: F401 - a fixture, and its helper

SHORT_LEASE = timedelta(seconds=1)


async def _queue(db, people: list[int]) -> None:
    """An announcement to `people`, as an organiser's message to all attendees queues it."""
    async with db.write() as session:
        await outbox.notify_attendees(session, outbox.ANNOUNCEMENT, 1, update_id=1, report_to=ADMIN_ID,
                                      letters=[(uid, f"The concert starts an hour later, {uid}") for uid in people])


def _told(api: FakeTelegram, people: list[int]) -> Counter:
    return Counter(c.chat_id for c in api.sent("sendMessage") if c.chat_id in people)


async def _holders(db, people: list[int]) -> dict[int, str]:
    async with db.read() as session:
        rows = await session.execute(select(OutboxMessage.chat_id, OutboxMessage.claimed_by)
                                     .where(OutboxMessage.chat_id.in_(people)))
        return dict(rows.all())


async def _two_workers(make_app, *, rate_limiter: bool):
    """Two bot processes on one database and one Bot API; their drains below are the workers."""
    apps = [await make_app(rate_limiter=rate_limiter) for _ in range(2)]
    for app in apps:
        await worker.stop_worker(app)
    return apps


async def _drain_both(first, second, *, second_starts_after: float) -> None:
    async def second_worker() -> None:
        await asyncio.sleep(second_starts_after)  # another process, polling on its own clock
        await worker.drain_all(second, timeout=40)

    await asyncio.gather(worker.drain_all(first, timeout=40), second_worker())


@pytest.mark.parametrize("rate_limiter", [True, False], ids=["limiter-waits-out-429", "worker-defers-on-429"])
async def test_two_workers_under_flood_control_tell_every_attendee_once(make_app, api, db, monkeypatch, rate_limiter):
    """With PTB's rate limiter (as in production) a 429 is waited out inside the send, twice here, far
    beyond the lease; without it the worker defers the message and hands back the rest."""
    monkeypatch.setattr(outbox, "LEASE", SHORT_LEASE)
    first, second = await _two_workers(make_app, rate_limiter=rate_limiter)
    people = [2001 + i for i in range(60)]
    await _queue(db, people)

    api.fail("sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2, for_seconds=2.5)
    await _drain_both(first, second, second_starts_after=0.5)

    assert _told(api, people) == Counter(people), "someone was told twice, or not at all"
    reports = [c.text for c in api.sent("sendMessage", ADMIN_ID)]
    assert reports == ["📬 Delivered: 60 of 60."]
    # Both workers did send: the batch really was shared.
    assert set((await _holders(db, people)).values()) == {worker.worker_of(first).id, worker.worker_of(second).id}


async def test_a_slow_answer_keeps_its_lease_and_is_not_sent_again(make_app, api, db, monkeypatch):
    """Telegram takes 4 s to answer one send: longer than the lease, and than the Bot's own read
    timeout. The worker waits for the answer, renewing its lease, so the other worker leaves that
    message alone; the rest of its handful goes to the other worker meanwhile."""
    monkeypatch.setattr(outbox, "LEASE", SHORT_LEASE)
    api.default_read_timeout = 1.0  # the Bot's default patience, shortened like the lease
    first, second = await _two_workers(make_app, rate_limiter=False)
    people = [3001 + i for i in range(10)]
    await _queue(db, people)

    api.slow("sendMessage", 4.0, chat_id=people[0])
    await _drain_both(first, second, second_starts_after=0.3)

    assert _told(api, people) == Counter(people), "someone was told twice, or not at all"
    assert (await _holders(db, people))[people[0]] == worker.worker_of(first).id
    slow = api.sent("sendMessage", people[0])[0].at
    others = [c.at for c in api.sent("sendMessage") if c.chat_id in people[1:]]
    assert max(others) < slow + 3.0, "the rest of the handful waited for the slow answer"
    assert [c.text for c in api.sent("sendMessage", ADMIN_ID)] == ["📬 Delivered: 10 of 10."]


async def test_the_pace_is_send_rate_sends_a_second(app, api, db):
    """Measured at the Bot API from the stamps of 40 sends, each taking a network's 20 ms: sends
    start 1/SEND_RATE apart, rather than 1/SEND_RATE after the previous one is done."""
    await worker.stop_worker(app)  # one sender, so the sends below are its own
    api.delay = 0.02
    people = [4001 + i for i in range(40)]
    await _queue(db, people)

    await worker.drain_all(app)

    stamps = sorted(c.at for c in api.sent("sendMessage") if c.chat_id in people)
    assert len(stamps) == len(people)
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    # Never faster than SEND_RATE (1 % for the jitter between a send's start and its stamp), and
    # not the ~17 a second of sleeping after each send (14 with this latency).
    assert 0.8 * worker.SEND_RATE <= rate <= 1.01 * worker.SEND_RATE, f"{rate:.2f} sends a second"


async def test_a_worker_whose_lease_was_taken_over_changes_nothing(db):
    """The rules themselves: renew, settle and release act only on rows the worker still holds."""
    await _queue(db, [5001, 5002])
    async with db.write() as session:  # A claims, then stalls far beyond its lease
        stalled = await outbox.claim(session, worker="A", limit=10, lease=SHORT_LEASE)
    async with db.write() as session:  # and an hour later B finds the lease lapsed
        taken = await outbox.claim(session, worker="B", limit=10, lease=outbox.LEASE,
                                   now=utcnow() + timedelta(hours=1))
    assert [m.id for m in taken] == [m.id for m in stalled]
    assert [m.attempts for m in taken] == [2, 2]

    async with db.write() as session:
        assert await outbox.renew(session, worker="A", lease=outbox.LEASE) == set()
        assert not await outbox.settle(session, stalled[0].id, outbox.SENT, worker="A")
        assert await outbox.release(session, [stalled[1].id], worker="A") == 0
    async with db.read() as session:
        rows = (await session.execute(select(OutboxMessage.status, OutboxMessage.claimed_by)
                                      .order_by(OutboxMessage.id))).all()
    assert [tuple(r) for r in rows] == [(outbox.SENDING, "B"), (outbox.SENDING, "B")]

    async with db.write() as session:  # B, the holder, renews, records one and hands one back
        assert await outbox.renew(session, worker="B", lease=outbox.LEASE) == {m.id for m in taken}
        assert await outbox.settle(session, taken[0].id, outbox.SENT, worker="B")
        assert await outbox.release(session, [taken[1].id], worker="B") == 1
    async with db.read() as session:
        rows = (await session.execute(select(OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.lease_until)
                                      .order_by(OutboxMessage.id))).all()
    # The one handed back was never tried by B: its attempt is not counted.
    assert [tuple(r) for r in rows] == [(outbox.SENT, 2, None), (outbox.PENDING, 1, None)]
    async with db.read() as session:
        assert await outbox.batch_result(session, "ann:1:1") is None


def test_a_message_claimed_before_the_upgrade_keeps_its_old_reclaim_time(empty_database):  # noqa: F811
    """Migration 0005: a row 'sending' under the old rule (reclaimed 2 minutes after its claim)
    gets that moment as its lease, so neither an old process still sending it is raced nor it is
    stuck for want of a lease."""
    upgrade_sync(empty_database, "0004")
    claimed_at = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)

    def insert(connection) -> None:
        connection.execute(text(
            "INSERT INTO outbox (key, chat_id, text, status, attempts, not_before, created_at)"
            " VALUES ('k1', 1, 'hi', 'sending', 1, :at, :at), ('k2', 2, 'hi', 'pending', 0, :at, :at)"
        ).bindparams(bindparam("at", type_=UTCDateTime)), {"at": claimed_at})
        connection.commit()

    on(empty_database, insert)
    upgrade_sync(empty_database)
    rows = on(empty_database, lambda connection: connection.execute(
        text("SELECT key, claimed_by, lease_until FROM outbox ORDER BY key")).all())
    assert [(key, holder, str(lease)[:19]) for key, holder, lease in rows] == [
        ("k1", None, "2026-11-30 10:02:00"), ("k2", None, "None")]
