"""Runs before every handler: knows who is writing and in which language to answer."""
from __future__ import annotations

from collections import OrderedDict

from telegram import Update

from bot.context import Context
from bot.texts import language_for
from db.users import upsert_user

# Who we have already stored, with what we stored; saves a database write per update. Bounded, so
# memory does not grow with every user ever seen; a miss only costs one upsert.
CACHE_SIZE = 20_000


def _cache(context: Context) -> OrderedDict:
    return context.bot_data.setdefault("known_users", OrderedDict())


async def remember_user(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None or user.is_bot:
        return
    cache = _cache(context)
    names = (user.first_name or "", user.last_name, user.username)
    cached = cache.get(user.id)
    if cached is not None and cached[0] == names:
        cache.move_to_end(user.id)
        context.lang = cached[1]
        return
    async with context.db.write() as session:
        stored = await upsert_user(
            session, user.id, first_name=names[0], last_name=names[1], username=names[2],
            language=language_for(user.language_code, context.settings.default_language),
        )
        lang = stored.language
    context.lang = lang
    cache[user.id] = (names, lang)
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)


def forget_language(context: Context, user_id: int) -> None:
    """Drop the cached language after the user changed it."""
    _cache(context).pop(user_id, None)
