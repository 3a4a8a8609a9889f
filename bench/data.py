"""Databases for the benchmarks: fresh migrated SQLite files, a reset PostgreSQL database, events
with posters, and the big catalogue (10,000 events, 1,000,000 bookings) bulk-loaded with raw SQL and
cached under bench/out/ so reruns are fast."""
from __future__ import annotations

import asyncio
import io
import os
import random
import shutil
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from alembic.script import ScriptDirectory

from db.migrate import alembic_config, upgrade, upgrade_sync

OUT = Path(__file__).resolve().parent / "out"

GENRES = ("jazz", "rock", "folk", "opera", "blues", "soul", "punk", "swing", "tango", "salsa", "choir",
          "organ", "piano", "violin", "cello", "guitar", "dombra", "techno", "house", "indie")


def schema_head() -> str:
    """The Alembic head revision: part of every cache key, so a new migration rebuilds the caches."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or "none"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def template(out: Path = OUT) -> Path:
    """An empty migrated SQLite file, made once per schema revision."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"empty-{schema_head()}.db"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two runs at once must not share a half-built file
        upgrade_sync(sqlite_url(tmp))
        _checkpoint(tmp)
        for suffix in ("-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, path)
    return path


def fresh_sqlite(path: Path, out: Path = OUT) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copy(template(out), path)
    return sqlite_url(path)


def _checkpoint(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


async def reset_postgres(url: str) -> None:
    """Empty the benchmark's PostgreSQL database and migrate it. Refuses the test suite's database."""
    from sqlalchemy import make_url, text

    from db.models import Base
    from db.session import Database

    if make_url(url).database in (None, "", "test", "postgres"):
        raise SystemExit(f"refusing to wipe database {make_url(url).database!r}; use a separate one, e.g. 'bench'")
    db = Database(url)
    async with db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
        await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await upgrade(db.engine)
    await db.dispose()


def future(days: float, hour: int = 19) -> datetime:
    base = datetime.now(timezone.utc) + timedelta(days=days)
    return base.replace(hour=hour, minute=0, second=0, microsecond=0)


_POSTER: bytes | None = None


def poster_jpeg() -> bytes:
    """A 1600x1000 picture, for events that have a poster like real ones do."""
    global _POSTER
    if _POSTER is None:
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (1600, 1000), (30, 40, 90))
        draw = ImageDraw.Draw(image)
        for i in range(0, 1600, 40):
            draw.rectangle([i, 0, i + 20, 1000], fill=(i % 255, 120, 200 - i % 200))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        _POSTER = out.getvalue()
    return _POSTER


async def add_events(db, count: int, rows: int, seats: int, *, poster: bool = False, first_day: float = 1.0,
                     title: str = "Bench Night") -> list[int]:
    """Events through the product's own create_event (as an organiser would), soonest first."""
    from db.events import create_event, new_poster
    from db.hall import grid
    from images.posters import process

    processed = process(poster_jpeg()) if poster else None
    ids = []
    for i in range(count):
        async with db.write() as session:
            event = await create_event(
                session, title=f"{title} #{i + 1}", description="Live music, two sets, one interval. " * 4,
                category="concert", venue_name="Rhapsody Club", venue_address="Abay Ave 43",
                starts_at=future(first_day + i), timezone="Asia/Almaty", price_minor=500000, currency="KZT",
                hall=grid(rows, seats), poster=new_poster(processed) if processed else None,
            )
            ids.append(event.id)
    return ids


async def add_events_url(url: str, count: int, rows: int, seats: int, **kw) -> list[int]:
    from db.session import Database

    db = Database(url)
    try:
        return await add_events(db, count, rows, seats, **kw)
    finally:
        await db.dispose()


# --- the big catalogue ---------------------------------------------------------------------------
def _ts(moment: datetime) -> str:
    """SQLAlchemy's SQLite DateTime format, which UTCDateTime stores (UTC, naive)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def big_catalogue(events: int, bookings: int, *, users: int | None = None, rows: int = 10, seats: int = 12,
                  out: Path = OUT, log=print) -> Path:
    """A migrated SQLite file with `events` events (80% upcoming over a year, 20% past) of rows x seats
    halls, and `bookings` bookings (85% confirmed on distinct seats, 15% cancelled), by `users` users.
    Built once per (sizes, schema revision) and cached."""
    users = users or max(1000, bookings // 10)
    path = out / f"big-{events}e-{bookings}b-{rows}x{seats}-{schema_head()}.db"
    if path.exists():
        return path
    started = time.perf_counter()
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    shutil.copy(template(out), tmp)
    rng = random.Random(6)
    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    conn = sqlite3.connect(tmp)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-200000")
    conn.execute("BEGIN")
    stamp = _ts(now - timedelta(days=30))
    conn.executemany(
        "INSERT INTO users (id, first_name, last_name, username, language, created_at, updated_at) "
        "VALUES (?, ?, NULL, NULL, 'en', ?, ?)",
        ((10_000_000 + i, f"Guest {i}", stamp, stamp) for i in range(users)),
    )
    labels = [chr(ord("A") + r) if r < 26 else f"R{r}" for r in range(rows)]
    per_event = seats * rows

    def event_rows():
        for e in range(1, events + 1):
            # Upcoming events spread over the next year, past ones over the last year.
            if e % 5:
                starts = now + timedelta(days=1 + rng.random() * 365)
            else:
                starts = now - timedelta(days=1 + rng.random() * 365)
            # One of 20 genres in each title, so a search for one finds 1 in 20 events (and "concert" all).
            yield (e, f"Concert #{e}: {GENRES[(e - 1) % len(GENRES)]}", "An evening of music. " * 10, "concert", "Hall",
                   "Street 1",
                   _ts(starts), "Asia/Almaty", 300000, "KZT", None, "published", None, stamp, stamp)

    conn.executemany(
        "INSERT INTO events (id, title, description, category, venue_name, venue_address, starts_at, timezone, "
        "price_minor, currency, poster_id, status, created_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", event_rows())

    def seat_rows():
        seat_id = 0
        for e in range(1, events + 1):
            for r in range(rows):
                for n in range(1, seats + 1):
                    seat_id += 1
                    yield (seat_id, e, r, labels[r], n, f"{labels[r]}{n}")

    conn.executemany("INSERT INTO seats (id, event_id, row_index, row_label, number, label) VALUES (?, ?, ?, ?, ?, ?)",
                     seat_rows())
    per_event_bookings = bookings // events
    active = min(per_event, round(per_event_bookings * 0.85))

    def booking_rows():
        booking_id = 0
        for e in range(1, events + 1):
            first_seat = (e - 1) * per_event + 1
            taken = rng.sample(range(per_event), active)
            for i in range(per_event_bookings):
                booking_id += 1
                if i < active:
                    seat, status, cancelled = first_seat + taken[i], "confirmed", None
                else:
                    seat, status, cancelled = first_seat + rng.randrange(per_event), "cancelled", stamp
                yield (booking_id, 10_000_000 + rng.randrange(users), e, seat, status, 300000, "KZT", stamp, stamp,
                       cancelled)

    conn.executemany(
        "INSERT INTO bookings (id, user_id, event_id, seat_id, status, price_minor, currency, created_at, "
        "updated_at, cancelled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", booking_rows())
    conn.execute("COMMIT")
    # No ANALYZE: a production file has no planner statistics either, so neither does this one.
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    os.replace(tmp, path)
    log(f"  built {path.name} in {time.perf_counter() - started:.1f} s (cached for next runs)")
    return path


def copy_db(source: Path, target: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(source, target)
    return sqlite_url(target)


def run_sync(coro):
    return asyncio.run(coro)
