"""Runs before every handler: knows who is writing and in which language to answer.

The language is read from the database on every update rather than cached in this process, so a
user who switches language through one bot process is answered in it by every other process too.
"""
from __future__ import annotations

from telegram import Update

from db import users
from handlers.context import Context
from views.texts import language_for


async def remember_user(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None or user.is_bot:
        return
    profile = users.Profile.clean(user.first_name, user.last_name, user.username)
    context.lang = await users.remember(context.db, user.id, profile,
                                        language_for(user.language_code, context.settings.default_language))
