"""Who may organise: the Telegram user IDs in ADMIN_IDS, checked again on every update.

Hiding a button is not a check. A non-admin typing an admin command gets the answer any unknown
command gets, and an admin button from a non-admin (forged, or forwarded) is answered as out of date.
"""
from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from telegram import Update

from handlers.context import Context
from handlers import fallback

Handler = Callable[[Update, Context], Awaitable[None]]


def is_admin(update: Update, context: Context) -> bool:
    user = update.effective_user
    return user is not None and context.settings.is_admin(user.id)


def admin_only(handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def checked(update: Update, context: Context) -> None:
        if is_admin(update, context):
            await handler(update, context)
        elif update.callback_query is not None:
            await fallback.on_stale_button(update, context)
        else:
            await fallback.on_unknown_command(update, context)

    return checked
