"""What the bot is doing, for /healthz and for Prometheus (/metrics; bot/web.py serves both).

Each Application has a registry of its own (not prometheus-client's global one), so several
Applications in one process (the tests, a bench run) keep separate figures. Three sources:

- counted as it happens: updates handled by kind and how long each took (the intake reports every
  update it handled, bot/intake.py), and the Bot API's error answers (every call goes through
  CountingRequest, a `BaseRequest` wrapped around the real one, PTB's public extension point);
- read from the database at scrape time: the inbox and outbox backlogs, and bookings made and
  cancelled. The booking figures come from the bookings table rather than from counters bumped in
  the handlers: handlers may not reach the wiring (the import contracts), the table also sees
  the cancellations an organiser's "cancel event" makes, a redelivered update is not counted twice,
  and the figures survive restarts. Booking rows are never deleted (cancelling only changes the
  status; an event is deletable only while nobody ever booked it), so both only grow and are
  exposed as counters. They are the same on every bot process: aggregate them with max(), not sum().
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from db import booking, inbox, outbox
from db.session import Database

log = logging.getLogger(__name__)

METRICS = "metrics"          # bot_data key
DATABASE_TIMEOUT = 5.0       # seconds a health or metrics read may take before the database counts as down
UPDATE_KINDS = ("message", "command", "callback_query", "other")


def update_kind(update: Update) -> str:
    if update.callback_query is not None:
        return "callback_query"
    message = update.message
    if message is None:
        return "other"
    entities = message.entities or ()
    if any(e.type == "bot_command" and e.offset == 0 for e in entities):
        return "command"
    return "message"


@dataclass(frozen=True)
class Queues:
    """The backlogs /healthz reports."""
    inbox_pending: int
    oldest_pending_seconds: float | None
    outbox_pending: int


async def read_queues(db: Database) -> Queues:
    """Raises whatever the database raises (or TimeoutError) when it does not answer."""
    async def read() -> Queues:
        async with db.queue_read() as session:
            backlog = await inbox.backlog(session)
        async with db.read() as session:
            owed = await outbox.pending_count(session)
        age = None
        if backlog.oldest_received_at is not None:
            age = max(0.0, (datetime.now(timezone.utc) - backlog.oldest_received_at).total_seconds())
        return Queues(backlog.pending, age, owed)

    return await asyncio.wait_for(read(), DATABASE_TIMEOUT)


@dataclass(frozen=True)
class DatabaseFigures:
    queues: Queues
    bookings: booking.BookingTotals


class DatabaseCollector(Collector):
    """Yields the figures the last scrape read from the database (Metrics.refresh), or only
    `eventbot_database_up 0` when it could not read them."""

    def __init__(self) -> None:
        self.figures: DatabaseFigures | None = None

    def collect(self) -> Iterator[Metric]:
        figures = self.figures
        yield GaugeMetricFamily("eventbot_database_up", "1 if the database answered this scrape, else 0",
                                value=1 if figures else 0)
        if figures is None:
            return
        yield GaugeMetricFamily("eventbot_inbox_pending", "updates stored in the inbox, not yet handled",
                                value=figures.queues.inbox_pending)
        yield GaugeMetricFamily("eventbot_inbox_oldest_pending_seconds",
                                "how long the oldest update not yet handled has waited (0 when none)",
                                value=figures.queues.oldest_pending_seconds or 0.0)
        yield GaugeMetricFamily("eventbot_outbox_pending", "messages in the outbox not yet sent",
                                value=figures.queues.outbox_pending)
        yield CounterMetricFamily("eventbot_bookings", "bookings ever made (from the database; every process "
                                  "reports the same figure)", value=figures.bookings.made)
        yield CounterMetricFamily("eventbot_cancellations", "bookings ever cancelled, by attendees or by an "
                                  "organiser cancelling the event (from the database)",
                                  value=figures.bookings.cancelled)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter("eventbot_updates", "updates handled, by kind", ["kind"], registry=self.registry)
        for kind in UPDATE_KINDS:
            self.updates.labels(kind)
        self.update_seconds = Histogram("eventbot_update_seconds", "time to handle one update (its handlers)",
                                        registry=self.registry)
        self.api_errors = Counter("eventbot_bot_api_errors", "Bot API calls that failed, by method and "
                                  "HTTP status (or timeout, network)", ["method", "code"], registry=self.registry)
        self.api_429 = Counter("eventbot_bot_api_429", "Bot API calls answered 429 (flood control)",
                               registry=self.registry)
        self.database = DatabaseCollector()
        self.registry.register(self.database)
        ProcessCollector(registry=self.registry)

    def handled(self, update: Update, seconds: float) -> None:
        """The intake's report on each update it handled."""
        self.updates.labels(update_kind(update)).inc()
        self.update_seconds.observe(seconds)

    def api_failed(self, method: str, code: str) -> None:
        self.api_errors.labels(method, code).inc()
        if code == "429":
            self.api_429.inc()

    async def refresh(self, db: Database) -> None:
        """Read the database-held figures for the scrape about to be served."""
        try:
            queues = await read_queues(db)
            async with db.read() as session:
                totals = await asyncio.wait_for(booking.totals(session), DATABASE_TIMEOUT)
        except Exception:  # noqa: BLE001 - a scrape must still answer, with eventbot_database_up 0
            log.warning("metrics: the database did not answer", exc_info=True)
            self.database.figures = None
            return
        self.database.figures = DatabaseFigures(queues, totals)


def api_method(url: str) -> str:
    """The Bot API method a request URL calls (never the URL itself: it holds the token)."""
    if "/file/bot" in url:
        return "file"
    return url.rsplit("/", 1)[-1] or "unknown"


class CountingRequest(BaseRequest):
    """Every Bot API request goes through `inner`; answers other than 200 and failures to get any
    answer are counted by method. The rate limiter sits above this (in the Bot), so each 429 it
    waits out and retries is seen here."""

    def __init__(self, inner: BaseRequest, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=None, write_timeout=None, connect_timeout=None,
                         pool_timeout=None) -> tuple[int, bytes]:
        try:
            status, payload = await self.inner.do_request(
                url, method, request_data, read_timeout=read_timeout, write_timeout=write_timeout,
                connect_timeout=connect_timeout, pool_timeout=pool_timeout)
        except TimedOut:
            self.metrics.api_failed(api_method(url), "timeout")
            raise
        except NetworkError:
            self.metrics.api_failed(api_method(url), "network")
            raise
        if status != 200:
            self.metrics.api_failed(api_method(url), str(status))
        return status, payload


def metrics_of(application: Application) -> Metrics:
    return application.bot_data[METRICS]
