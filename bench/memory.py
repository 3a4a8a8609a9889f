"""Resident memory of one bot process: run in a child process (`python -m bench.memory URL USERS`)
so nothing else the benchmark did is counted. Prints one JSON line."""
from __future__ import annotations

import asyncio
import json
import random
import sys

from bench import data
from bench.harness import LeanFake, SimUser, Timings, quiet_logs, rss_kib, start_bot, stop_app
from bench.scenarios import attendee_flow


async def main(url: str, users: int, concurrent: int) -> dict:
    quiet_logs()
    before = rss_kib()[0]
    api = LeanFake()
    app = await start_bot(url, api)
    db = app.bot_data["db"]
    if not (await _has_events(db)):
        await data.add_events(db, 5, 10, 7, poster=True)
    started = rss_kib()[0]
    timings = Timings()
    done = 0
    while done < users:
        batch = min(concurrent, users - done)
        crowd = [SimUser(app, api, 4_000_000 + done + i, timings) for i in range(batch)]
        await asyncio.gather(*(attendee_flow(u, random.Random(done + i)) for i, u in enumerate(crowd)))
        done += batch
    rss, peak = rss_kib()
    await stop_app(app)
    return {"rss_before_app_kib": before, "rss_started_kib": started, "rss_kib": rss, "peak_kib": peak,
            "updates": timings.count}


async def _has_events(db) -> bool:
    from sqlalchemy import text

    async with db.read() as session:
        return bool((await session.execute(text("SELECT count(*) FROM events"))).scalar_one())


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))))
