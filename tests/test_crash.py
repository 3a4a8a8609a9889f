"""SIGKILL in the middle of a burst of bookings, then a restart on the same database (issue 5).

The bot runs as a real `eventbot run` process, long-polling a fake Bot API over HTTP."""
from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time

from sqlalchemy import func, select

from views.buttons import ConfirmBooking, SeatPick
from db.models import Booking, Seat
from tests.conftest import TOKEN
from tests.fake_server import FakeBotApiServer

USERS = 150


def _tap(update_id: int, user_id: int, message: dict, data: str) -> dict:
    profile = {"id": user_id, "is_bot": False, "first_name": f"Fan{user_id}", "language_code": "en"}
    return {"update_id": update_id, "callback_query": {
        "id": f"q{update_id}", "from": profile, "chat_instance": str(user_id), "data": data, "message": message}}


async def _start_bot(tmp_path, server: FakeBotApiServer, database_url: str) -> asyncio.subprocess.Process:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "BOT_TOKEN": TOKEN,
           "DATABASE_URL": database_url, "TELEGRAM_BASE_URL": server.url, "LOG_LEVEL": "WARNING",
           "DEFAULT_LANGUAGE": "en"}
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


async def _until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_sigkill_mid_burst_then_restart_loses_no_confirmed_booking(tmp_path, database_url, db, add_event):
    event = await add_event("Sell-out", hall="10x10")
    async with db.read() as session:
        seat_ids = list((await session.execute(select(Seat.id).where(Seat.event_id == event.id))).scalars())
    rng = random.Random(5)

    with FakeBotApiServer() as server:
        wanted: dict[int, tuple[int, int]] = {}  # user -> (message_id, seat_id)
        for n, user_id in enumerate(range(70_000, 70_000 + USERS), start=1):
            message = server.api._new_message(user_id, text="Please confirm your booking")
            seat_id = rng.choice(seat_ids)
            wanted[user_id] = (message["message_id"], seat_id)
            server.push(_tap(n, user_id, message, ConfirmBooking(event.id, seat_id).pack()))

        def screens() -> dict[int, str]:
            # A lost race answers with the hall, a photo that takes the text message's place.
            return {u: server.shown(u) for u in wanted}

        bot = await _start_bot(tmp_path, server, database_url)
        try:
            await _until(lambda: sum("Booked" in t for t in screens().values()) >= 20, 60, "first bookings")
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
        finally:
            if bot.returncode is None:
                bot.kill()
        at_kill = screens()
        confirmed = {u for u, text in at_kill.items() if "Booked" in text}
        answered_at_kill = len([t for t in at_kill.values() if t != "Please confirm your booking"])
        assert answered_at_kill < USERS  # killed mid-burst
        # Telegram was told of more updates than had been answered: only the inbox held the rest.
        assert server.acknowledged > answered_at_kill

        bot = await _start_bot(tmp_path, server, database_url)
        try:
            def answered(text: str) -> bool:
                return "Booked" in text or "taken a moment ago" in text or "sold out" in text.lower()

            # Every tap gets its answer: a booking or a polite "taken".
            await _until(lambda: all(answered(t) for t in screens().values()), 60,
                         "the restarted bot to handle the burst")
            after = screens()

            async with db.read() as session:
                rows = (await session.execute(
                    select(Booking.user_id, Booking.seat_id).where(Booking.status == "confirmed"))).all()
                per_seat = (await session.execute(
                    select(Booking.seat_id, func.count()).where(Booking.status == "confirmed")
                    .group_by(Booking.seat_id))).all()
            booked = {(u, s) for u, s in rows}
            assert all(n == 1 for _, n in per_seat)  # no seat sold twice
            for user_id in confirmed:  # everything a user was told is booked, is booked
                assert (user_id, wanted[user_id][1]) in booked
            assert {u for u, _ in booked} == {u for u, t in after.items() if "Booked" in t}

            # A button from before the crash still works on the restarted bot.
            free = sorted(set(seat_ids) - {s for _, s in booked})
            loser = next(u for u, t in after.items() if "Booked" not in t)
            message = server.latest(loser)  # the hall they were shown on losing the race
            server.push(_tap(USERS + 1, loser, message, SeatPick(event.id, free[0]).pack()))
            await _until(lambda: "Please confirm" in server.shown(loser), 30, "the old button to work")
        finally:
            bot.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(bot.wait(), 15)
            except asyncio.TimeoutError:
                bot.kill()
                raise AssertionError("the bot did not stop on SIGTERM")
        output = (await bot.stdout.read()).decode()
        assert TOKEN not in output
        assert "Traceback" not in output, output
