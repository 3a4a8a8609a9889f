"""Every update at least once, every effect exactly once; Bot API faults lose nothing (issue 5)."""
from __future__ import annotations

import logging
import random

from sqlalchemy import func, select

from db.models import Booking, ProcessedUpdate
from tests.fake_telegram import TIMEOUT


async def _bookings(db) -> list[tuple[str, str]]:
    from db.models import Seat

    async with db.read() as session:
        rows = await session.execute(
            select(Seat.label, Booking.status).join(Seat, Seat.id == Booking.seat_id).order_by(Booking.id))
        return [tuple(r) for r in rows]


async def _open_confirm(alice, seat_label: str) -> None:
    await alice.send("/events")
    await alice.tap("Jazz Night")
    await alice.tap("Book a seat")
    row, number = seat_label[0], seat_label[1:]
    line = next(r for r in alice.last()["reply_markup"]["inline_keyboard"] if r[0]["text"] == row)
    await alice.tap(data=next(b["callback_data"] for b in line if b["text"] == number))


async def test_every_update_of_a_booking_session_delivered_twice_and_shuffled(app, api, db, user, add_event):
    await add_event("Jazz Night", hall="3x5")
    alice = user()
    session_updates = []

    async def act(update):
        session_updates.append(update)
        await app.process_update(update)

    # Book A1 and A2, then cancel A1 — recording every update as Telegram would send it.
    for label in ("A1", "A2"):
        await _open_confirm(alice, label)
        await act(alice.tap_update(alice.button("Confirm")["callback_data"]))
    await act(alice.message_update("/mybookings"))
    await act(alice.tap_update(alice.button("Cancel A1")["callback_data"]))
    await act(alice.tap_update(alice.button("Yes, cancel")["callback_data"]))
    before = await _bookings(db)
    assert before == [("A1", "cancelled"), ("A2", "confirmed")]
    sent_before = len(api.sent("sendMessage"))

    replay = session_updates * 2
    random.Random(7).shuffle(replay)
    for update in replay:
        await app.process_update(update)

    assert await _bookings(db) == before  # no second booking of A1, no second cancel
    # Only /mybookings, a read-only command, may answer again; no new "Booked!" message at all.
    new = api.sent("sendMessage")[sent_before:]
    assert all("Booked" not in c.text for c in new)
    assert len(new) == 2
    async with db.read() as session:
        assert (await session.execute(select(func.count()).select_from(ProcessedUpdate))).scalar_one() == 3


async def test_rate_limited_answer_is_waited_out_and_retried(make_app, api, user, add_event, caplog):
    app = await make_app(rate_limiter=True)
    await add_event("Jazz Night")
    from tests.driver import User

    alice = User(app, api, 1001)
    api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await alice.send("/events")
    assert "Upcoming events" in alice.screen()


async def test_failed_edit_after_booking_keeps_the_booking_and_the_user_sees_it(app, api, db, user, add_event):
    await add_event("Jazz Night", hall="3x5")
    alice = user()
    await _open_confirm(alice, "B2")
    api.fail("editMessageText", 502, "Bad Gateway")
    await alice.tap("Confirm")
    assert await _bookings(db) == [("B2", "confirmed")]
    assert "Booked" in alice.screen()  # the idempotent edit was retried


async def test_timeouts_everywhere_after_commit_lose_nothing(app, api, db, user, add_event, caplog):
    await add_event("Jazz Night", hall="3x5")
    alice = user()
    await _open_confirm(alice, "C3")
    api.fail("editMessageText", TIMEOUT, "", times=5)
    api.fail("answerCallbackQuery", TIMEOUT, "", times=5)
    with caplog.at_level(logging.WARNING):
        await alice.tap("Confirm")
    assert await _bookings(db) == [("C3", "confirmed")]
    # Telegram came back: the user finds the seat in /mybookings, and the old button is harmless.
    api.faults.clear()
    await alice.send("/mybookings")
    assert "C3" in alice.screen()


async def test_expired_query_and_unchanged_message_are_not_errors(app, api, db, user, add_event):
    await add_event("Jazz Night", hall="3x5")
    alice = user()
    await _open_confirm(alice, "A5")
    api.fail("answerCallbackQuery", 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
    await alice.tap("Confirm")
    assert await _bookings(db) == [("A5", "confirmed")]
    assert "Booked" in alice.screen()
    await alice.tap("My bookings")
    shown, sent = alice.screen(), len(api.sent("sendMessage"))
    await alice.tap(data="my:list:0")  # the same screen again: Telegram says "not modified"
    assert alice.screen() == shown and len(api.sent("sendMessage")) == sent
    assert not [c for c in api.calls if c.method == "answerCallbackQuery" and c.params.get("show_alert")]
