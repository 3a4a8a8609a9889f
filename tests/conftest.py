"""Fixtures: a migrated database per test (SQLite file, or PostgreSQL via TEST_DATABASE_URL), the
real Application over a fake Bot API, and users to drive it."""
from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import build_application
from bot.config import Settings
from db.events import create_event, new_poster
from db.hall import Row, grid
from db.migrate import upgrade_sync
from db.models import Base, Event, InboxBase
from db.session import Database, create_engine
from tests.driver import User
from tests.fake_telegram import FakeTelegram

TOKEN = "123456789:AAEtestTOKENtestTOKENtestTOKENtestTOK"
ADMIN_ID = 900001
PG_URL = os.environ.get("TEST_DATABASE_URL")


async def _empty_public_schema(url: str) -> None:
    """Whatever an earlier run (of an older migration history, say) left in the database goes."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path | None:
    """Migrate once per run; each test starts from a copy (SQLite) or emptied tables (PostgreSQL)."""
    if PG_URL:
        asyncio.run(_empty_public_schema(PG_URL))
        upgrade_sync(PG_URL)
        return None
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_sync(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
async def database_url(template_db, tmp_path) -> str:
    if PG_URL:
        db = Database(PG_URL)
        names = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
        await db.prepare_inbox()  # updates a previous test left in the inbox must not reach this one
        inbox_names = ", ".join(t.name for t in InboxBase.metadata.sorted_tables)
        async with db.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {names}, {inbox_names} RESTART IDENTITY CASCADE"))
        await db.dispose()
        return PG_URL
    path = tmp_path / "bot.db"
    shutil.copy(template_db, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(_env_file=None, bot_token=TOKEN, database_url=database_url, admin_ids=str(ADMIN_ID),
                    timezone="Asia/Almaty", default_language="en", max_seats_per_user=4)


@pytest.fixture
async def db(settings) -> AsyncIterator[Database]:
    database = Database(settings.database_url)
    yield database
    await database.dispose()


@pytest.fixture
def api() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def make_app(settings, api) -> AsyncIterator[Callable]:
    """Build and start an Application; call again for a 'restarted' bot on the same database."""
    started = []

    async def _make(fake: FakeTelegram | None = None, *, update_processor=None, rate_limiter: bool = False,
                    **overrides):
        conf = settings.model_copy(update=overrides) if overrides else settings
        app = build_application(conf, request=fake or api, rate_limiter=rate_limiter,
                                update_processor=update_processor)
        await app.initialize()
        await app.post_init(app)
        started.append(app)
        return app

    yield _make
    for app in started:
        await app.shutdown()
        await app.post_shutdown(app)


@pytest.fixture
async def app(make_app):
    return await make_app()


@pytest.fixture
def user(app, api) -> Callable[..., User]:
    """user(id, name, lang) -> a Telegram user talking to the bot."""

    def _user(user_id: int = 1001, first_name: str = "Alice", language_code: str = "en", **kw) -> User:
        return User(app, api, user_id, first_name, language_code, **kw)

    return _user


def future(days: float = 7, hour: int = 19) -> datetime:
    base = datetime.now(timezone.utc) + timedelta(days=days)
    return base.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def add_event(db) -> Callable:
    """add_event(title=..., hall=[rows] or 'RxS', poster=bytes | None, ...) -> Event."""

    async def _add(title: str = "Jazz Night", *, hall: str | list[Row] = "3x5", starts_at: datetime | None = None,
                   poster: bytes | None = None, price_minor: int = 500000, status: str | None = None,
                   description: str = "Live jazz.", **fields) -> Event:
        from images.posters import process

        rows = grid(*map(int, hall.split("x"))) if isinstance(hall, str) else hall
        async with db.write() as session:
            event = await create_event(
                session, title=title, description=description, category=fields.pop("category", "concert"),
                venue_name=fields.pop("venue_name", "Rhapsody Club"),
                venue_address=fields.pop("venue_address", "Abay Ave 43"),
                starts_at=starts_at or future(), timezone="Asia/Almaty", price_minor=price_minor,
                currency="KZT", hall=rows, poster=new_poster(process(poster)) if poster else None, **fields,
            )
            if status:
                event.status = status
        return event

    return _add

