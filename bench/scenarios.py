"""The scenarios: throughput (vs a bare echo bot), sell-out race, and scale (big vs empty database)."""
from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

from sqlalchemy import func, select, text

from bench import data
from bench.harness import LeanFake, SimUser, SqlCounter, Timings, start_bot, start_echo, stop_app
from views.texts import t

STEPS = ("events", "card", "seat_map", "pick", "confirm", "mybookings")


# --- the attendee flow -------------------------------------------------------------------------------
async def pick_free_seat(user: SimUser, rng: random.Random, step: str = "pick") -> bool:
    """From the seat keyboard on screen, tap a free seat; walk to other parts of the hall when this
    part is full. False when there is no free seat to be found."""
    seen: set[str] = set()
    while True:
        picks = user.datas("st:pick:")
        if picks:
            await user.tap(rng.choice(picks), step)
            return bool(user.datas("bk:ok:"))
        parts = [d for d in user.datas("st:map:") if d not in seen]
        if not parts:
            return False
        seen.add(parts[0])
        await user.tap(parts[0], "seat_map")


async def attendee_flow(user: SimUser, rng: random.Random, tries: int = 3) -> bool:
    """/events, open a card, open the seat keyboard, pick, confirm (again if just taken), /mybookings."""
    await user.send("/events", "events")
    cards = user.datas("ev:card:")
    booked = False
    if cards:
        await user.tap(rng.choice(cards), "card")
        hall = user.datas("st:map:")
        if hall:
            await user.tap(hall[0], "seat_map")
            for _ in range(tries):
                if not await pick_free_seat(user, rng):
                    break
                await user.tap(user.datas("bk:ok:")[0], "confirm")
                if user.datas("my:list:"):  # the "Booked!" screen
                    booked = True
                    break
    await user.send("/mybookings", "mybookings")
    return booked


async def echo_flow(user: SimUser, event_id: int, seat_id: int) -> None:
    """The same six updates, sent to the echo bot."""
    await user.send("/events", "events")
    await user.tap(f"ev:card:{event_id}:0", "card")
    await user.tap(f"st:map:{event_id}:0:0", "seat_map")
    await user.tap(f"st:pick:{event_id}:{seat_id}", "pick")
    await user.tap(f"bk:ok:{event_id}:{seat_id}", "confirm")
    await user.send("/mybookings", "mybookings")


# --- 1. throughput --------------------------------------------------------------------------------------
async def throughput(url: str, *, users: int, waves: int, events: int = 5, rows: int = 10, seats: int = 7,
                     seed: int = 1) -> dict:
    """`waves` waves of `users` concurrent new users each running the whole flow. Between waves (not
    timed) every booking is cancelled so the next wave finds the same free halls."""
    rng = random.Random(seed)
    api = LeanFake()
    app = await start_bot(url, api)
    db = app.bot_data["db"]
    await data.add_events(db, events, rows, seats, poster=True)
    timings = Timings()
    booked = 0
    elapsed = 0.0
    next_id = 1_000_000
    # Warm-up (not counted): first imports, statement caches, the posters' first upload.
    warm = [SimUser(app, api, 999_000 + i, Timings()) for i in range(events * 2)]
    await asyncio.gather(*(attendee_flow(u, random.Random(i)) for i, u in enumerate(warm)))
    for _ in range(waves):
        async with db.write() as session:
            await session.execute(text("UPDATE bookings SET status = 'cancelled'"))
        crowd = [SimUser(app, api, next_id + i, timings) for i in range(users)]
        next_id += users
        seeds = [rng.random() for _ in crowd]
        started = time.perf_counter()
        results = await asyncio.gather(*(attendee_flow(u, random.Random(s)) for u, s in zip(crowd, seeds)))
        elapsed += time.perf_counter() - started
        booked += sum(results)
    bot_updates = timings.count
    bot_timings = timings
    errors = dict(api.errors)
    await stop_app(app)

    # The reference, in the same run: the echo bot, the same number of users and updates.
    echo_api = LeanFake()
    echo = await start_echo(echo_api)
    echo_timings = Timings()
    warm = [SimUser(echo, echo_api, 999_000 + i, Timings()) for i in range(events * 2)]
    await asyncio.gather(*(echo_flow(u, 1, 1) for u in warm))
    echo_elapsed = 0.0
    per_user = max(1, round(bot_updates / (users * waves)))
    for _ in range(waves):
        crowd = [SimUser(echo, echo_api, next_id + i, echo_timings) for i in range(users)]
        next_id += users
        started = time.perf_counter()
        await asyncio.gather(*(echo_flow(u, 1 + i % events, 1 + i % 70) for i, u in enumerate(crowd)))
        echo_elapsed += time.perf_counter() - started
    await echo.shutdown()
    return {
        "users": users * waves, "waves": waves, "concurrent": users, "booked": booked,
        "bot_updates": bot_updates, "bot_seconds": elapsed, "bot_ups": bot_updates / elapsed,
        "echo_updates": echo_timings.count, "echo_seconds": echo_elapsed, "echo_ups": echo_timings.count / echo_elapsed,
        "updates_per_user": bot_updates / (users * waves), "echo_per_user": per_user,
        "steps": {k: v for k, v in bot_timings.samples.items()}, "echo_steps": dict(echo_timings.samples),
        "api_errors": errors,
    }


# --- 2. sell-out ----------------------------------------------------------------------------------------
async def sellout(url: str, *, users: int, seats: int, seed: int = 2) -> dict:
    """`users` users, each with a seat picked on the confirm screen, all tap ✅ Confirm at once. Losers
    get the fresh hall and try another free seat until they book one or the bot says none are left."""
    rows = 10
    per_row = seats // rows
    api = LeanFake()
    app = await start_bot(url, api)
    db = app.bot_data["db"]
    (event_id,) = await data.add_events(db, 1, rows, per_row, poster=False, title="Sell-out Gala")
    rng = random.Random(seed)
    timings = Timings()
    prep = Timings()
    crowd = [SimUser(app, api, 2_000_000 + i, prep) for i in range(users)]
    rngs = [random.Random(rng.random()) for _ in crowd]

    async def get_ready(user: SimUser, r: random.Random) -> None:
        await user.send(f"/start event_{event_id}", "card")
        await user.tap(f"st:map:{event_id}:0:0", "seat_map")
        await pick_free_seat(user, r)

    await asyncio.gather(*(get_ready(u, r) for u, r in zip(crowd, rngs)))
    ready = sum(bool(u.datas("bk:ok:")) for u in crowd)
    for u in crowd:
        u.timings = timings
    error_text = t("en", "error")
    none_free = t("en", "seats.none_free")
    wins: list[float] = []
    first_answers: dict[int, float] = {}  # user -> when their first Confirm tap was answered
    outcome: dict[str, int] = {"booked": 0, "refused": 0, "errors": 0, "other": 0}
    taps = 0

    async def race(user: SimUser, r: random.Random, start: float) -> None:
        nonlocal taps
        for _ in range(100):  # a guard: a user gets a final answer long before this
            confirm = user.datas("bk:ok:")
            if confirm:
                answer = await user.tap(confirm[0], "confirm")
                taps += 1
                if user.id not in first_answers:
                    first_answers[user.id] = time.perf_counter() - start
                if answer == error_text:
                    outcome["errors"] += 1
                    return
                if user.datas("my:list:"):
                    wins.append(time.perf_counter() - start)
                    outcome["booked"] += 1
                    return
            if none_free in user.screen():
                outcome["refused"] += 1
                return
            # Lost the seat: pick another from the fresh hall (a pick can lose a race too; then again).
            await pick_free_seat(user, r)
        outcome["other"] += 1

    start = time.perf_counter()
    await asyncio.gather(*(race(u, r, start) for u, r in zip(crowd, rngs)))
    all_answered = time.perf_counter() - start
    from db.models import Booking

    async with db.read() as session:
        active = (await session.execute(
            select(func.count(Booking.id), func.count(func.distinct(Booking.seat_id)))
            .where(Booking.event_id == event_id, Booking.status.in_(("held", "confirmed", "checked_in")))
        )).one()
    await stop_app(app)
    return {
        "users": users, "seats": seats, "ready": ready, "sold_out_s": max(wins) if wins else float("nan"),
        "all_answered_s": all_answered, "confirm_taps": taps,
        "first_wave_s": max(first_answers.values(), default=float("nan")),
        "first_wave_booked": sum(1 for w in wins if w <= max(first_answers.values(), default=0)), "outcome": outcome,
        "db_bookings": active[0], "db_distinct_seats": active[1], "oversold": max(0, active[0] - seats),
        "steps": dict(timings.samples), "api_errors": dict(api.errors),
    }


# --- 3. scale -------------------------------------------------------------------------------------------
# Search on the scale database: a word in 1 of 20 titles, its second page, a word in every title.
SEARCH_STEPS = ("search: a word in 1 of 20 events", "search: its page 2", "search: a word in every event")


async def scale_flow(url: str, *, users: int, warmup: int = 5, seed: int = 3) -> dict:
    """The attendee flow, one user at a time (clean latencies, exact SQL counts), on the database at
    `url`; users open one of the events on page 1 of /events (the soonest)."""
    api = LeanFake()
    app = await start_bot(url, api)
    db = app.bot_data["db"]
    counter = SqlCounter(db.engine)
    rng = random.Random(seed)
    for i in range(warmup):
        await attendee_flow(SimUser(app, api, 3_000_000 + i, Timings(), counter), rng)
    timings = Timings()
    booked = 0
    for i in range(users):
        booked += await attendee_flow(SimUser(app, api, 3_100_000 + i, timings, counter), rng)
    # A returning user: the cache already knows them, so no user upsert on their first update.
    returning = SimUser(app, api, 3_100_000, timings, counter)
    await returning.send("/mybookings", "mybookings (returning user)")
    await returning.send("/events", "events (returning user)")
    for _ in range(max(5, users // 4)):
        await returning.tap("ev:list:0:week:concert:0", "events: this week's concerts")
        await returning.send("jazz", SEARCH_STEPS[0])
        await returning.tap("sr:page:1", SEARCH_STEPS[1])
        await returning.send("/search concert", SEARCH_STEPS[2])
    counter.remove()
    await stop_app(app)
    return {"users": users, "booked": booked, "steps": dict(timings.samples), "sql": dict(timings.sql),
            "api_errors": dict(api.errors)}


async def count_rows(url: str) -> dict:
    from db.session import Database

    db = Database(url)
    async with db.read() as session:
        counts = {name: (await session.execute(text(f"SELECT count(*) FROM {name}"))).scalar_one()
                  for name in ("events", "seats", "bookings", "users")}
    await db.dispose()
    return counts


def file_mb(path: Path) -> float:
    return path.stat().st_size / 1e6
