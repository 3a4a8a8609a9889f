"""The typed context every handler receives: the database, settings and the user's language."""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext, ExtBot

from db.session import Database

if TYPE_CHECKING:  # the wiring builds Settings and hands them over; handlers only read them
    from bot.config import Settings

OUTBOX_WAKE = "outbox_wake"  # bot_data key of the event the outbox worker waits on


class Context(CallbackContext[ExtBot, dict, dict, dict]):
    def __init__(self, application: Application, chat_id: int | None = None, user_id: int | None = None):
        super().__init__(application, chat_id, user_id)
        self.lang: str = application.bot_data["settings"].default_language

    @property
    def db(self) -> Database:
        return self.application.bot_data["db"]

    @property
    def settings(self) -> Settings:
        return self.application.bot_data["settings"]

    def wake_outbox(self) -> None:
        """Call after committing queued notices, so they go out now rather than at the worker's next look."""
        outbox_wake(self.application).set()


def outbox_wake(application: Application) -> asyncio.Event:
    return application.bot_data.setdefault(OUTBOX_WAKE, asyncio.Event())
