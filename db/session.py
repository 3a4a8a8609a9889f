"""Engine and sessions. One session (one transaction) per update.

SQLite goes through SQLAlchemy's stock `sqlite+aiosqlite` driver, which runs each statement in a
thread of its own connection, so a statement that waits (for the write lock held by another
process, say) waits there and every other chat carries on. The settings are made through
SQLAlchemy's public event hooks, as in its documented aiosqlite transaction recipe: WAL so readers
never wait for the writer, a busy timeout so a second process waits instead of failing, foreign keys
on, and writes opened with BEGIN IMMEDIATE. A deferred transaction that reads and then writes can
fail at once with "database is locked" when another writer committed in between; taking the write
lock first makes writers queue instead. Inside one process writers also queue on an asyncio lock,
which is cheaper than SQLite's sleeping busy handler.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import delete, event, insert, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from db.models import InboxBase, ProcessedUpdate, utcnow

SQLITE_BUSY_TIMEOUT_MS = 30_000

# Connections one process keeps (POOL_SIZE) and may open on top under load (MAX_OVERFLOW). Modest on
# purpose: PostgreSQL allows 100 clients by default, and every bot process has a pool of its own.
# When all are busy an update waits up to POOL_TIMEOUT seconds for one to come back: a burst queues
# (each statement takes milliseconds) instead of failing with "too many clients".
POOL_SIZE = 5
MAX_OVERFLOW = 5
POOL_TIMEOUT = 60.0


class DuplicateUpdate(Exception):
    """This Telegram update's effects were already committed (a redelivery)."""


def dialect_insert(session: AsyncSession):
    """INSERT with the dialect's ON CONFLICT clause (PostgreSQL's or SQLite's, which read alike)."""
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, pool_size: int = POOL_SIZE, max_overflow: int = MAX_OVERFLOW,
                  pool_timeout: float = POOL_TIMEOUT, synchronous: str = "NORMAL", **kwargs) -> AsyncEngine:
    """An engine whose pool holds `pool_size` connections, opens up to `max_overflow` more under load
    and, when all are busy, makes the next unit of work wait up to `pool_timeout` seconds."""
    sqlite = is_sqlite(url)
    if sqlite and make_url(url).database in (None, "", ":memory:"):
        kwargs.setdefault("poolclass", NullPool)
    if kwargs.get("poolclass") is not NullPool:  # NullPool keeps nothing, so takes no sizes
        kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout)
    if not sqlite:
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)

    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Stop the driver from opening transactions itself: SQLAlchemy's "begin" below decides how.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn):
        mode = "IMMEDIATE" if conn.get_execution_options().get("sqlite_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@asynccontextmanager
async def _no_lock() -> AsyncIterator[None]:
    yield


def inbox_url(url: str) -> str:
    """Where the inbox lives: beside a SQLite file in a file of its own (bot.db -> bot.inbox.db), so
    that storing an update never waits on the events database's write lock (a migration, a backup,
    a booking queued behind another process); in the same PostgreSQL database otherwise."""
    parsed = make_url(url)
    if not is_sqlite(url) or parsed.database in (None, "", ":memory:"):
        return url
    stem, dot, suffix = parsed.database.rpartition(".")
    name = f"{stem}.inbox.{suffix}" if dot and "/" not in suffix else f"{parsed.database}.inbox"
    return parsed.set(database=name).render_as_string(hide_password=False)


class Database:
    """The engines and the units of work: read-only and writing over the events database, and the
    same two over the inbox (the same database unless it is a SQLite file)."""

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE, max_overflow: int = MAX_OVERFLOW,
                 pool_timeout: float = POOL_TIMEOUT, **engine_kwargs) -> None:
        self.url = url
        self.sqlite = is_sqlite(url)
        self.engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout,
                                    **engine_kwargs)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = asyncio.Lock() if self.sqlite else None
        separate = inbox_url(url) != url
        # FULL: an update acknowledged to Telegram must survive a power cut, not only a killed process.
        self.inbox_engine = create_engine(inbox_url(url), synchronous="FULL", **engine_kwargs) if separate \
            else self.engine
        self._queue_sessions = async_sessionmaker(self.inbox_engine, expire_on_commit=False) if separate \
            else self._sessions
        self._queue_lock = asyncio.Lock() if separate else self._write_lock

    async def prepare_inbox(self) -> None:
        """Create the inbox's tables where they are missing (see db/models.py InboxBase)."""
        try:
            async with self.inbox_engine.begin() as connection:
                await connection.run_sync(InboxBase.metadata.create_all)
        except DBAPIError:  # several workers starting at once: another one created them first
            async with self.inbox_engine.begin() as connection:
                await connection.run_sync(InboxBase.metadata.create_all)

    @asynccontextmanager
    async def queue_read(self) -> AsyncIterator[AsyncSession]:
        async with self._queue_sessions() as session:
            yield session

    @asynccontextmanager
    async def queue(self) -> AsyncIterator[AsyncSession]:
        """A write to the inbox: committed on success, rolled back on any exception."""
        async with self._queue_lock or _no_lock(), self._queue_sessions() as session:
            if self.sqlite:
                await session.connection(execution_options={"sqlite_write": True})
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self, update_id: int | None = None) -> AsyncIterator[AsyncSession]:
        """A transaction that commits on success and rolls back on any exception.

        With `update_id`, the update is recorded as processed in the same transaction, and a second
        delivery of it raises DuplicateUpdate before anything is changed.
        """
        async with self._write_lock or _no_lock(), self._sessions() as session:
            if self.sqlite:
                await session.connection(execution_options={"sqlite_write": True})
            try:
                if update_id is not None:
                    try:
                        await session.execute(insert(ProcessedUpdate).values(update_id=update_id, processed_at=utcnow()))
                    except IntegrityError:
                        raise DuplicateUpdate(update_id) from None
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def check_writable(self) -> None:
        """Raise unless the database can be reached and takes writes, proven by one rolled back.

        Reads alone would pass on a read-only SQLite file (or a PostgreSQL standby): the bot would
        start, answer /events, and fail every new user and every booking."""
        async with self.engine.connect() as connection:
            if self.sqlite:
                await connection.execution_options(sqlite_write=True)
            # SQLite creates a table in the file itself; PostgreSQL refuses any CREATE, even of a
            # temporary table (which needs no privilege beyond the default), on a read-only server.
            temporary = "" if self.sqlite else "TEMPORARY "
            async with connection.begin() as transaction:
                await connection.execute(text(f"CREATE {temporary}TABLE eventbot_write_check (id INTEGER)"))
                await transaction.rollback()

    async def forget_updates_before(self, moment) -> int:
        """Prune the processed-update log; Telegram redelivers for at most a day."""
        async with self.write() as session:
            result = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < moment))
        return result.rowcount or 0

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.inbox_engine is not self.engine:
            await self.inbox_engine.dispose()
