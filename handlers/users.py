"""Runs before every handler: knows who is writing and in which language to answer.

The language is read from the database on every update rather than cached in this process, so a
user who switches language through one bot process is answered in it by every other process too.
The row is only written when something Telegram tells us changed (a new user, a new name).
"""
from __future__ import annotations

from sqlalchemy import bindparam, select
from telegram import Update

from bot.context import Context
from views.texts import language_for
from db.models import User
from db.users import upsert_user


# Built once (it runs on every update): SQLAlchemy reuses its cache key, and a plain connection
# skips the ORM session, whose set-up cost more than this one-row lookup.
_PROFILE = select(User.first_name, User.last_name, User.username, User.language).where(
    User.id == bindparam("user_id"))


async def remember_user(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None or user.is_bot:
        return
    # PostgreSQL text can't hold NUL, whatever a client put in a name.
    names = tuple(n.replace("\x00", "") if n else n for n in (user.first_name or "", user.last_name, user.username))
    async with context.db.engine.connect() as connection:
        row = (await connection.execute(_PROFILE, {"user_id": user.id})).first()
    if row is not None and tuple(row[:3]) == names:
        context.lang = row.language
        return
    async with context.db.write() as session:
        stored = await upsert_user(
            session, user.id, first_name=names[0], last_name=names[1], username=names[2],
            language=language_for(user.language_code, context.settings.default_language),
        )
        context.lang = stored.language
