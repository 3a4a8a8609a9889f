"""The evening a concert goes on sale: 1000 taps on 100 seats (issue 5). Runs on SQLite, and on
PostgreSQL when TEST_DATABASE_URL is set."""
from __future__ import annotations

import asyncio
import logging
import random

from sqlalchemy import func, select

from views.buttons import ConfirmBooking
from db.models import Booking, Seat
from tests.driver import User

ATTEMPTS = 1000
SEATS = 100


async def test_1000_attempts_on_100_seats_sell_exactly_100(app, api, db, add_event, caplog):
    event = await add_event("Sell-out", hall="10x10")
    async with db.read() as session:
        seat_ids = list((await session.execute(select(Seat.id).where(Seat.event_id == event.id))).scalars())
    rng = random.Random(1)
    users = []
    for i in range(ATTEMPTS):
        u = User(app, api, 50_000 + i, f"Fan{i}")
        message = api._new_message(u.id, text="Please confirm your booking")
        users.append((u, u.tap_update(ConfirmBooking(event.id, rng.choice(seat_ids)).pack(), message)))

    with caplog.at_level(logging.ERROR):
        await asyncio.gather(*(app.process_update(update) for _, update in users))

    async with db.read() as session:
        booked = (await session.execute(select(func.count(Booking.id)).where(Booking.status == "confirmed"))).scalar_one()
        per_seat = (await session.execute(
            select(Booking.seat_id, func.count(Booking.id)).group_by(Booking.seat_id)
        )).all()
    assert booked == SEATS
    assert all(n == 1 for _, n in per_seat)

    winners = [u for u, _ in users if "Booked" in u.screen()]
    losers = [u for u, _ in users if "was taken a moment ago" in u.screen()]
    assert len(winners) == SEATS
    assert len(losers) == ATTEMPTS - SEATS
    # Every loser got a polite pop-up and, as the hall is sold out, no seat to pick.
    taken_alerts = [c for c in api.sent("answerCallbackQuery") if "just taken" in c.params.get("text", "")]
    assert len(taken_alerts) == ATTEMPTS - SEATS
    assert not [c for c in api.sent("answerCallbackQuery") if c.params.get("show_alert")]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
