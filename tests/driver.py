"""A Telegram user, as the bot sees one: sends messages and taps buttons as real `Update`s."""
from __future__ import annotations

import itertools
import time
from typing import Any

from telegram import Update
from telegram.ext import Application

from tests.fake_telegram import Call, FakeTelegram

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)
_query_ids = itertools.count(1)


class User:
    def __init__(self, app: Application, api: FakeTelegram, user_id: int, first_name: str = "Alice",
                 language_code: str = "en", username: str | None = None, last_name: str | None = None) -> None:
        self.app, self.api, self.id = app, api, user_id
        self.profile = {"id": user_id, "is_bot": False, "first_name": first_name,
                        "language_code": language_code}
        if username:
            self.profile["username"] = username
        if last_name:
            self.profile["last_name"] = last_name

    # --- building updates ---------------------------------------------------------------------
    def message_update(self, text: str | None = None, **content: Any) -> Update:
        message: dict[str, Any] = {
            "message_id": next(_message_ids), "date": int(time.time()),
            "chat": {"id": self.id, "type": "private", "first_name": self.profile["first_name"]},
            "from": self.profile, **content,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return Update.de_json({"update_id": next(_update_ids), "message": message}, self.app.bot)

    def tap_update(self, data: str, message: dict | None = None) -> Update:
        message = message or self.api.last(self.id)
        query = {"id": str(next(_query_ids)), "from": self.profile, "chat_instance": str(self.id),
                 "data": data, "message": message}
        return Update.de_json({"update_id": next(_update_ids), "callback_query": query}, self.app.bot)

    # --- acting ---------------------------------------------------------------------------------
    async def send(self, text: str | None = None, **content: Any) -> list[Call]:
        return await self._process(self.message_update(text, **content))

    async def tap(self, label: str | None = None, *, data: str | None = None, message: dict | None = None) -> list[Call]:
        """Tap a button of the bot's latest message (or of `message`), by its label or its data."""
        message = message or self.api.last(self.id)
        if data is None:
            data = self.button(label, message)["callback_data"]
        return await self._process(self.tap_update(data, message))

    async def _process(self, update: Update) -> list[Call]:
        before = len(self.api.calls)
        await self.app.process_update(update)
        return self.api.calls[before:]

    # --- looking ------------------------------------------------------------------------------
    def last(self) -> dict:
        return self.api.last(self.id)

    def screen(self) -> str:
        message = self.last()
        return message.get("text") or message.get("caption") or ""

    def buttons(self, message: dict | None = None) -> list[dict]:
        message = message or self.last()
        return [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]

    def button(self, label: str, message: dict | None = None) -> dict:
        found = [b for b in self.buttons(message) if label in b["text"]]
        assert found, f"no button {label!r} in {[b['text'] for b in self.buttons(message)]}"
        return found[0]

    def has_button(self, label: str) -> bool:
        return any(label in b["text"] for b in self.buttons())


def answers(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "answerCallbackQuery"]
