"""aiosqlite, minus the thread hops: statements run right in the event loop.

aiosqlite runs every SQLite call in a worker thread and hands each step back to the loop; through
SQLAlchemy's adapter that is four round trips a statement (cursor, execute, fetch, close) plus one
per commit or rollback, ~25 per update in this bot. Every round trip is a GIL hand-over between
threads, and on a busy 2-core machine those hand-overs, not SQLite, were most of the time an update
spent in the database (bench/RESULTS.md).

A local SQLite statement takes microseconds, so here it runs directly in the loop's thread on the
connection aiosqlite opened (check_same_thread is off; only the loop thread ever touches it). This is
safe from stalls because Database.write() lets one writer at a time into SQLite per process, and
readers never wait under WAL; a *second process* writing the same file could make BEGIN IMMEDIATE
wait (up to the busy timeout) with the loop blocked, which is one more reason several processes
should use PostgreSQL. It is passed to the engine as its DBAPI `module`, so the dialect, statement
cache and URL (`sqlite+aiosqlite://`) stay SQLAlchemy's own.
"""
from __future__ import annotations

from collections import deque
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)


async def _nothing() -> None:
    return None


class InlineCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        # SQLAlchemy's async Connection.execute() insists the driver awaited something (its guard
        # against sync drivers); a no-op await satisfies it without leaving the loop's thread.
        self.await_(_nothing())
        try:
            cursor = self._connection._conn.cursor()
            try:
                cursor.execute(operation, () if parameters is None else parameters)
                if cursor.description:
                    self.description = cursor.description
                    self.lastrowid = self.rowcount = -1
                    self._rows = deque(cursor.fetchall())
                else:
                    self.description = None
                    self.lastrowid, self.rowcount = cursor.lastrowid, cursor.rowcount
            finally:
                cursor.close()
        except Exception as error:  # noqa: BLE001 - translated to DBAPI errors, as upstream does
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            cursor = self._connection._conn.cursor()
            try:
                cursor.executemany(operation, seq_of_parameters)
                self.description = None
                self.lastrowid, self.rowcount = cursor.lastrowid, cursor.rowcount
            finally:
                cursor.close()
        except Exception as error:  # noqa: BLE001
            self._adapt_connection._handle_exception(error)


class InlineConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        return super().cursor(server_side) if server_side else InlineCursor(self)

    def rollback(self) -> None:
        try:
            self._connection._conn.rollback()
        except Exception as error:  # noqa: BLE001
            self._handle_exception(error)

    def commit(self) -> None:
        try:
            self._connection._conn.commit()
        except Exception as error:  # noqa: BLE001
            self._handle_exception(error)


class InlineDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *args: Any, **kwargs: Any) -> AsyncAdapt_aiosqlite_connection:
        kwargs["check_same_thread"] = False  # opened in aiosqlite's thread, used from the loop's
        connection = super().connect(*args, **kwargs)
        if type(connection) is AsyncAdapt_aiosqlite_connection:
            connection.__class__ = InlineConnection
        return connection


def dbapi() -> InlineDBAPI:
    import sqlite3

    import aiosqlite

    return InlineDBAPI(aiosqlite, sqlite3)
