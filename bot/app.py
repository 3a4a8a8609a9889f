"""Builds the Application: defaults, rate limiter, handlers, start-up and shutdown hooks."""
from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.config import Settings
from bot.context import Context
from bot.texts import LANGUAGES, t
from db.migrate import upgrade
from db.session import Database
from handlers import registry

log = logging.getLogger(__name__)

USER_COMMANDS = ("events", "mybookings", "language", "help", "start")
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


def build_application(
    settings: Settings,
    *,
    database: Database | None = None,
    request: BaseRequest | None = None,
    migrate: bool = True,
    rate_limiter: bool = True,
) -> Application:
    builder: ApplicationBuilder = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value().strip())
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .context_types(ContextTypes(context=Context))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    if settings.telegram_base_url:
        builder = builder.base_url(api_base_url(settings.telegram_base_url))
        builder = builder.base_file_url(api_file_url(settings.telegram_base_file_url or settings.telegram_base_url))
    elif settings.telegram_base_file_url:
        builder = builder.base_file_url(api_file_url(settings.telegram_base_file_url))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    application.bot_data["settings"] = settings
    application.bot_data["db"] = database or Database(settings.database_url)
    application.bot_data["migrate"] = migrate
    registry.register(application)
    return application


async def _post_init(application: Application) -> None:
    db: Database = application.bot_data["db"]
    if application.bot_data.get("migrate"):
        await upgrade(db.engine)
    await set_commands(application)


async def _post_shutdown(application: Application) -> None:
    await application.bot_data["db"].dispose()


async def set_commands(application: Application) -> None:
    """The command menu: everyone's commands, and admins' own on top in their chats."""
    settings: Settings = application.bot_data["settings"]
    bot = application.bot
    try:
        for lang in LANGUAGES:
            commands = [BotCommand(c, t(lang, f"cmd.{c}")) for c in USER_COMMANDS]
            admin = commands + [BotCommand(c, t(lang, f"cmd.{c}")) for c in ADMIN_COMMANDS]
            code = None if lang == settings.default_language else lang
            await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=code)
            for admin_id in settings.admin_ids:
                await bot.set_my_commands(admin, scope=BotCommandScopeChat(admin_id), language_code=code)
    except TelegramError as exc:  # an admin who never opened the chat, for instance
        log.warning("could not set the command menu: %s", exc)
