"""The typed context every handler receives: the database, settings and the user's language."""
from __future__ import annotations

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from db.session import Database


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
