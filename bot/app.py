"""Builds the Application: defaults, rate limiter, handlers, start-up and shutdown hooks."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
    ExtBot,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot import outbox
from bot.intake import INTAKE, Intake, intake_of
from bot.metrics import METRICS, CountingRequest, Metrics
from bot.config import Settings
from handlers.context import Context
from views.texts import LANGUAGES, t
from bot.updates import PerChatUpdateProcessor
from db import inbox
from db.migrate import upgrade
from db.session import Database
from handlers import registry

log = logging.getLogger(__name__)

USER_COMMANDS = ("events", "search", "mybookings", "settings", "language", "help", "start")
ADMIN_COMMANDS = ("addevent", "myevents", "cancel")


def api_base_url(url: str) -> str:
    """Accept 'http://host:8081', 'http://host:8081/bot' or a URL with {token} in it."""
    url = url.rstrip("/")
    if "{token}" in url or url.endswith("/bot"):
        return url
    return url + "/bot"


def api_file_url(url: str) -> str:
    url = url.rstrip("/")
    if "{token}" in url or url.endswith("/file/bot"):
        return url
    return url + ("/bot" if url.endswith("/file") else "/file/bot")


class EventBot(ExtBot):
    """The Bot, with one Telegram quirk absorbed in one place."""

    async def answer_callback_query(self, *args, **kwargs) -> bool:
        # A tap answered too late (a slow moment, a redelivered update) must not abort the work
        # the tap asked for; the spinner has simply already gone. Nor must an answer whose reply
        # was lost (a timeout, a dropped connection): it has often arrived, and the screen the
        # handler shows next tells the user what happened either way.
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as exc:
            if "query is too old" in exc.message or "query id is invalid" in exc.message.lower():
                log.info("callback query expired: %s", exc.message)
                return False
            raise
        except NetworkError as exc:  # TimedOut among them; BadRequest, also one, is handled above
            log.warning("answering a tap failed, perhaps after it arrived: %s", exc.message)
            return False


def open_database(settings: Settings) -> Database:
    """The database with the pool the settings size."""
    return Database(settings.database_url, pool_size=settings.database_pool_size,
                    max_overflow=settings.database_max_overflow, pool_timeout=settings.database_pool_timeout)


def build_application(
    settings: Settings,
    *,
    database: Database | None = None,
    request: BaseRequest | None = None,
    migrate: bool = True,
    rate_limiter: bool = True,
    update_processor: BaseUpdateProcessor | None = None,
) -> Application:
    base_url = api_base_url(settings.telegram_base_url) if settings.telegram_base_url else None
    file_url = settings.telegram_base_file_url or settings.telegram_base_url
    metrics = Metrics()
    bot = EventBot(
        token=settings.bot_token.get_secret_value().strip(),
        base_url=base_url or "https://api.telegram.org/bot",
        base_file_url=api_file_url(file_url) if file_url else "https://api.telegram.org/file/bot",
        # Every Bot API call passes CountingRequest, which counts error answers for /metrics.
        request=CountingRequest(request or HTTPXRequest(connection_pool_size=256), metrics),
        get_updates_request=CountingRequest(request or HTTPXRequest(connection_pool_size=1), metrics),
        defaults=Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)),
        # 429 answers are waited out and retried; sends are paced to Telegram's flood limits.
        rate_limiter=AIORateLimiter(max_retries=3) if rate_limiter else None,
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=Context))
        .concurrent_updates(update_processor or PerChatUpdateProcessor())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["settings"] = settings
    application.bot_data["db"] = database or open_database(settings)
    application.bot_data["migrate"] = migrate
    application.bot_data[INTAKE] = Intake(application)
    application.bot_data[METRICS] = metrics
    intake_of(application).on_handled = metrics.handled
    registry.register(application)
    if application.job_queue is not None:
        application.job_queue.run_repeating(_forget_handled_updates, interval=3600, first=60,
                                            name="forget-handled-updates")
    return application


async def _forget_handled_updates(context: Context) -> None:
    async with context.db.queue() as session:
        await inbox.forget_handled(session)
    await context.db.forget_updates_before(datetime.now(timezone.utc) - inbox.KEEP)


async def _post_init(application: Application) -> None:
    db: Database = application.bot_data["db"]
    if application.bot_data.get("migrate"):
        await upgrade(db.engine)
    await db.prepare_inbox()
    await set_commands(application)
    outbox.start_worker(application)
    intake_of(application).start()


async def _post_shutdown(application: Application) -> None:
    await intake_of(application).stop()
    await outbox.stop_worker(application)
    await application.bot_data["db"].dispose()


async def set_commands(application: Application) -> None:
    """The command menu: everyone's commands, and admins' own on top in their chats."""
    settings: Settings = application.bot_data["settings"]
    bot = application.bot
    for lang in LANGUAGES:
        commands = [BotCommand(c, t(lang, f"cmd.{c}")) for c in USER_COMMANDS]
        admin = commands + [BotCommand(c, t(lang, f"cmd.{c}")) for c in ADMIN_COMMANDS]
        code = None if lang == settings.default_language else lang
        scopes = [(commands, BotCommandScopeDefault())]
        scopes += [(admin, BotCommandScopeChat(admin_id)) for admin_id in sorted(settings.admin_ids)]
        for menu, scope in scopes:
            try:
                await bot.set_my_commands(menu, scope=scope, language_code=code)
            except TelegramError as exc:  # e.g. an admin who has never opened the chat
                log.warning("could not set the command menu for %s: %s", scope.type, exc)
