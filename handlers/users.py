"""Runs before every handler: knows who is writing and in which language to answer.

The language is read from the database on every update rather than cached in this process, so a
user who switches language through one bot process is answered in it by every other process too.
"""
from __future__ import annotations

from telegram import Update

from db import users
from handlers.context import Context
from views.texts import language_for


class UserLookupFailed(Exception):
    """Who is writing could not be looked up (the database is down, or out of connections). The
    error handler ends the update with one apology in `language`, the one Telegram tells us: a
    handler run without the user would answer in the wrong language, or fail a second time. The
    operators hear of `cause`, what actually failed."""

    def __init__(self, language: str, cause: Exception) -> None:
        super().__init__(f"could not look up the user (answering in {language}): {cause!r}")
        self.language = language
        self.cause = cause


async def remember_user(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None or user.is_bot:
        return
    profile = users.Profile.clean(user.first_name, user.last_name, user.username)
    telegram_language = language_for(user.language_code, context.settings.default_language)
    try:
        context.lang = await users.remember(context.db, user.id, profile, telegram_language)
    except Exception as exc:  # noqa: BLE001 - whatever failed, this update can't go on without its user
        raise UserLookupFailed(telegram_language, exc) from exc
