"""What every benchmark shares: a lean fake Bot API, simulated users, app builders, SQL counting.

The fake is a slimmer copy of tests/fake_telegram.FakeTelegram: it sits at the same place (a
python-telegram-bot `BaseRequest`, so Bot, Application and handlers run for real) and answers
the same way, but keeps only what a user needs to go on (each chat's messages and the answers to
button taps) instead of recording every call, so a long run does not grow without bound.
"""
from __future__ import annotations

import itertools
import json
import logging
import time
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import event as sa_event
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters
from telegram.request import BaseRequest, RequestData

TOKEN = "123456789:AAEbenchTOKENbenchTOKENbenchTOKENbenc"
BOT_ID = 7000001
BOT_USERNAME = "eventbot_bench_bot"
_BOT = {"id": BOT_ID, "is_bot": True, "first_name": "EventBot", "username": BOT_USERNAME}


class ApiError(Exception):
    pass


class LeanFake(BaseRequest):
    """A fake Bot API: answers like Telegram, keeps each chat's messages and tap answers."""

    def __init__(self) -> None:
        self.messages: dict[tuple[int, int], dict] = {}
        self.latest: dict[int, dict] = {}          # chat -> the newest message the bot sent there
        self.answers: dict[str, str] = {}          # callback query id -> answer text ("" = silent)
        self.methods: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()      # Bot API calls we refused (400s)
        self._ids: dict[int, itertools.count] = defaultdict(lambda: itertools.count(1000))
        self._file_ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=None, write_timeout=None, connect_timeout=None,
                         pool_timeout=None) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        has_files = request_data is not None and request_data.contains_files
        self.methods[name] += 1
        handler = getattr(self, f"_api_{name}", None)
        try:
            result = handler(params, has_files) if handler else True
        except ApiError as exc:
            self.errors[name] += 1
            return 400, json.dumps({"ok": False, "error_code": 400, "description": exc.args[0]}).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # --- helpers -------------------------------------------------------------------------------
    def last(self, chat_id: int) -> dict:
        return self.latest[chat_id]

    def _new(self, chat_id: int, **content) -> dict:
        message = {"message_id": next(self._ids[chat_id]), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private"}, "from": _BOT, **content}
        self.messages[(chat_id, message["message_id"])] = message
        self.latest[chat_id] = message
        return message

    def _message(self, params: dict) -> dict:
        message = self.messages.get((int(params["chat_id"]), int(params["message_id"])))
        if message is None:
            raise ApiError("Bad Request: message to edit not found")
        return message

    @staticmethod
    def _markup(params: dict) -> dict:
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        return {"reply_markup": markup} if markup and "inline_keyboard" in markup else {}

    def _photo(self) -> list[dict]:
        n = next(self._file_ids)
        file = {"file_id": f"bench-file-{n}", "file_unique_id": f"u{n}", "file_size": 1000}
        return [{**file, "width": 320, "height": 320}, {**file, "width": 1280, "height": 1280}]

    @staticmethod
    def _edit(message: dict, new: dict) -> dict:
        if all(message.get(k) == v for k, v in new.items()) and ("reply_markup" in new) == ("reply_markup" in message):
            raise ApiError("Bad Request: message is not modified")
        message.pop("reply_markup", None)
        message.update(new)
        message["edit_date"] = int(time.time())
        return message

    # --- Bot API methods -----------------------------------------------------------------------
    def _api_getMe(self, params, has_files):
        return {**_BOT, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    def _api_sendMessage(self, params, has_files):
        return self._new(int(params["chat_id"]), text=params["text"], **self._markup(params))

    def _api_sendPhoto(self, params, has_files):
        return self._new(int(params["chat_id"]), photo=self._photo(), caption=params.get("caption", ""),
                         **self._markup(params))

    def _api_editMessageText(self, params, has_files):
        message = self._message(params)
        if "text" not in message:
            raise ApiError("Bad Request: there is no text in the message to edit")
        return self._edit(message, {"text": params["text"], **self._markup(params)})

    def _api_editMessageCaption(self, params, has_files):
        message = self._message(params)
        if "photo" not in message:
            raise ApiError("Bad Request: there is no caption in the message to edit")
        return self._edit(message, {"caption": params.get("caption", ""), **self._markup(params)})

    def _api_editMessageReplyMarkup(self, params, has_files):
        return self._edit(self._message(params), self._markup(params))

    def _api_editMessageMedia(self, params, has_files):
        message = self._message(params)
        media = params["media"] if isinstance(params["media"], dict) else json.loads(params["media"])
        return self._edit(message, {"photo": self._photo(), "caption": media.get("caption", ""),
                                    **self._markup(params)})

    def _api_deleteMessage(self, params, has_files):
        key = (int(params["chat_id"]), int(params["message_id"]))
        if self.messages.pop(key, None) is None:
            raise ApiError("Bad Request: message to delete not found")
        return True

    def _api_answerCallbackQuery(self, params, has_files):
        self.answers[str(params["callback_query_id"])] = params.get("text") or ""
        return True


# --- simulated users -------------------------------------------------------------------------------
# True: updates go through app.update_processor as in production (bounded concurrency, per-chat
# order); False: straight into app.process_update, unbounded. Set by run.py (--direct).
VIA_PROCESSOR = True
_update_ids = itertools.count(1)
_message_ids = itertools.count(1)
_query_ids = itertools.count(1)


class Timings:
    """Latency samples (seconds) per step name, and SQL statements per step."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.sql: dict[str, list[int]] = defaultdict(list)

    def add(self, step: str, seconds: float, statements: int | None = None) -> None:
        self.samples[step].append(seconds)
        if statements is not None:
            self.sql[step].append(statements)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.samples.values())


class SimUser:
    """Sends real `Update`s (built from JSON like Telegram's) through app.process_update."""

    def __init__(self, app: Application, api: LeanFake, user_id: int, timings: Timings,
                 counter: SqlCounter | None = None) -> None:
        self.app, self.api, self.id, self.timings, self.counter = app, api, user_id, timings, counter
        self.profile = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "en"}
        self.last_query_id = ""

    async def send(self, text: str, step: str) -> None:
        message = {"message_id": next(_message_ids), "date": int(time.time()),
                   "chat": {"id": self.id, "type": "private", "first_name": self.profile["first_name"]},
                   "from": self.profile, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        await self._process({"update_id": next(_update_ids), "message": message}, step)

    async def tap(self, data: str, step: str, message: dict | None = None) -> str:
        """Tap a button carrying `data` on the latest bot message; returns the tap's answer text."""
        message = message or self.api.last(self.id)
        self.last_query_id = str(next(_query_ids))
        query = {"id": self.last_query_id, "from": self.profile, "chat_instance": str(self.id),
                 "data": data, "message": message}
        await self._process({"update_id": next(_update_ids), "callback_query": query}, step)
        return self.api.answers.pop(self.last_query_id, "")

    async def _process(self, raw: dict, step: str) -> None:
        before = self.counter.total if self.counter else 0
        started = time.perf_counter()
        update = Update.de_json(raw, self.app.bot)
        if VIA_PROCESSOR and self.app.update_processor.max_concurrent_updates > 1:
            # What Application does with a fetched update when concurrent_updates is on: the bot's
            # own update processor (per-chat order, a bound on updates running at once) runs it.
            await self.app.update_processor.process_update(update, self.app.process_update(update))
        else:
            await self.app.process_update(update)
        elapsed = time.perf_counter() - started
        statements = (self.counter.total - before) if self.counter else None
        self.timings.add(step, elapsed, statements)

    # --- looking at the screen -----------------------------------------------------------------
    def last(self) -> dict:
        return self.api.last(self.id)

    def screen(self) -> str:
        message = self.last()
        return message.get("text") or message.get("caption") or ""

    def datas(self, prefix: str) -> list[str]:
        keyboard = self.last().get("reply_markup", {}).get("inline_keyboard", [])
        return [b["callback_data"] for row in keyboard for b in row
                if b.get("callback_data", "").startswith(prefix)]


class SqlCounter:
    """Counts SQL statements sent by an engine (before_cursor_execute). Only meaningful when one
    update runs at a time, so the scale benchmark measures it, sequentially."""

    def __init__(self, engine) -> None:
        self.total = 0
        self.engine = engine.sync_engine
        sa_event.listen(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs) -> None:
        self.total += 1

    def remove(self) -> None:
        sa_event.remove(self.engine, "before_cursor_execute", self._count)


# --- applications ----------------------------------------------------------------------------------
def settings_for(url: str):
    from bot.config import Settings

    return Settings(_env_file=None, bot_token=TOKEN, database_url=url, admin_ids="", timezone="Asia/Almaty",
                    default_language="en", max_seats_per_user=4, log_level="WARNING")


async def start_bot(url: str, api: LeanFake, migrate: bool = False) -> Application:
    """The real bot, built as tests/conftest.py builds it, over an already migrated database."""
    from bot.app import build_application

    app = build_application(settings_for(url), request=api, rate_limiter=False, migrate=migrate)
    await app.initialize()
    await app.post_init(app)
    return app


async def stop_app(app: Application) -> None:
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)


async def start_echo(api: LeanFake) -> Application:
    """The reference: a bare echo bot on the same Application class and the same fake Bot API.
    It echoes a message back, and answers a button tap and edits the tapped message to its data:
    the same Bot API calls per update as the real bot, with no database or screens behind them."""

    async def echo(update, context) -> None:
        await update.effective_message.reply_text(update.effective_message.text)

    async def echo_tap(update, context) -> None:
        query = update.callback_query
        await query.answer()
        await query.edit_message_text(f"you tapped {query.data}")

    app = ApplicationBuilder().token(TOKEN).request(api).get_updates_request(api).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(echo_tap))
    await app.initialize()
    return app


def quiet_logs() -> None:
    logging.basicConfig(level=logging.WARNING)
    for name in ("telegram", "httpx", "apscheduler", "alembic", "sqlalchemy", "bot", "handlers", "db"):
        logging.getLogger(name).setLevel(logging.ERROR)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def rss_kib() -> tuple[int, int]:
    """(current RSS, peak RSS) of this process in KiB, from /proc/self/status."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def dumps(data: Any) -> str:
    return json.dumps(data, indent=1, default=str)
