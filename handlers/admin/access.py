"""Who may organise: the Telegram user IDs in ADMIN_IDS, checked again on every update.

Hiding a button is not a check. A non-admin typing an admin command gets the answer any unknown
command gets, and an admin button from a non-admin (forged, or forwarded) is answered as out of date,
as is a button of another organiser's event.
"""
from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Update

from db import manage
from handlers import fallback
from handlers.context import Context
from views.buttons import ButtonData, StaleButton

Handler = Callable[[Update, Context], Awaitable[None]]
B = TypeVar("B", bound=ButtonData)


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


def own_event_tap(button_type: type[B]) -> Callable[[Callable[[Update, Context, B], Awaitable[None]]], Handler]:
    """A tap on a button of one of the admin's events: parsed, the right to manage it checked (db/manage.py
    may_manage), then handled with the parsed button."""

    def decorate(handler: Callable[[Update, Context, B], Awaitable[None]]) -> Handler:
        @admin_only
        @functools.wraps(handler)
        async def checked(update: Update, context: Context) -> None:
            button = button_type.parse(update.callback_query.data)
            async with context.db.read() as session:
                allowed = await manage.may_manage(session, update.effective_user.id, button.event_id)
            if not allowed:  # another organiser's event: nothing to see
                raise StaleButton(update.callback_query.data)
            await handler(update, context, button)

        return checked

    return decorate
