"""The `eventbot` command: run, migrate, demo."""
from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys

from pydantic import ValidationError

from bot.config import Settings, get_settings

log = logging.getLogger("eventbot")


def _settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        sys.exit(f"eventbot: bad setting ({problems}). See .env.example.")


def use_database(settings: Settings) -> None:
    """Make sure the database takes writes, then bring its schema up to date; or exit with one line
    saying why not (the traceback too at LOG_LEVEL=DEBUG). Reads alone would let the bot start on a
    read-only SQLite file and then fail every new user and every booking."""
    from db.migrate import upgrade_sync

    try:
        asyncio.run(_check_writable(settings))
        upgrade_sync(settings.database_url)
    except Exception as exc:  # noqa: BLE001 - whatever it is, the bot can't work without its database
        log.debug("the database check failed", exc_info=True)
        sys.exit(f"eventbot: cannot use the database ({_safe_url(settings.database_url)}): "
                 f"{settings.redact(_reason(exc))}")


async def _check_writable(settings: Settings) -> None:
    from bot.app import open_database

    database = open_database(settings)
    try:
        await database.check_writable()
    finally:
        await database.dispose()


def _reason(error: BaseException) -> str:
    """The driver's own words for a database error, on one line."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    text = re.sub(r"^<class '[\w.]+'>: ", "", str(error).strip())  # how asyncpg's errors reach us
    return text.splitlines()[0] if text else type(error).__name__


def cmd_migrate(settings: Settings) -> None:
    use_database(settings)
    print("eventbot: database is up to date")


def cmd_demo(settings: Settings) -> None:
    from bot.demo import load_demo

    use_database(settings)
    count = asyncio.run(load_demo(settings.database_url, settings.timezone))
    print(f"eventbot: loaded {count} demo events" if count else "eventbot: demo events are already there")


def cmd_run(settings: Settings) -> None:
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application
    from bot.web import ListenError, run_polling, run_webhook

    problem = settings.token_problem()
    if problem:
        sys.exit(f"eventbot: {problem}")
    use_database(settings)
    application = build_application(settings, migrate=False)  # migrated just above
    log.info("starting eventbot (database: %s)", _safe_url(settings.database_url))
    try:
        if settings.webhook_url:
            asyncio.run(run_webhook(application, settings))
        else:
            asyncio.run(run_polling(application, settings))
    except ListenError as exc:
        sys.exit(f"eventbot: {exc}.")
    except InvalidToken:
        sys.exit("eventbot: Telegram rejected BOT_TOKEN. Check it with @BotFather.")
    except NetworkError as exc:
        sys.exit(f"eventbot: cannot reach the Telegram Bot API ({exc.message}).")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="eventbot", description="Event booking bot for Telegram.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="migrate the database and start the bot (default)")
    sub.add_parser("migrate", help="only bring the database schema up to date")
    sub.add_parser("demo", help="load a few sample events with posters")
    args = parser.parse_args(argv)
    settings = _settings()
    from bot.logs import setup

    setup(settings.log_level, settings.secrets())
    {"migrate": cmd_migrate, "demo": cmd_demo}.get(args.command, cmd_run)(settings)


if __name__ == "__main__":
    main()
