"""A fake Bot API at the HTTP layer: it answers like Telegram and records every call.

It plugs in where python-telegram-bot does its HTTP (a `BaseRequest`), so everything above it (the
Bot, the Application, handlers, keyboards, the rate limiter) runs for real. It keeps the chat
state a client would see: each message's text or photo, caption and keyboard, after every edit.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

BOT_ID = 7000001
TIMEOUT = 0  # a Fault status meaning "no answer at all"
DROPPED = -1  # a Fault status meaning "the connection dropped before the answer came"
SLOW = 200   # a Fault status meaning "done, but the answer comes `delay` seconds late"
BOT_USERNAME = "eventbot_test_bot"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    file_names: dict[str, str] = field(default_factory=dict)  # the multipart field's file name, per file
    at: float = field(default_factory=time.monotonic)  # when the Bot API received it

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return self.params.get("text") or self.params.get("caption") or ""

    @property
    def keyboard(self) -> list[list[dict]]:
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return markup.get("inline_keyboard", [])


@dataclass
class Fault:
    method: str
    status: int
    description: str
    retry_after: int | None = None
    times: int = 1
    delay: float = 0.0
    delivered: bool = False  # TIMEOUT or DROPPED after Telegram carried the call out (the user sees it)
    chat_id: int | None = None   # only calls to this chat
    until: float | None = None   # every call until this moment (time.monotonic), whatever `times` says

    def applies(self, name: str, chat_id: int | None) -> bool:
        if self.method not in (name, "*") or (self.chat_id is not None and self.chat_id != chat_id):
            return False
        return time.monotonic() < self.until if self.until is not None else self.times > 0


class FakeTelegram(BaseRequest):
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict] = {}
        self.files: dict[str, bytes] = {}
        self.faults: list[Fault] = []
        self._message_ids: dict[int, itertools.count] = {}
        self._file_ids = itertools.count(1)
        self.delay = 0.0
        self.default_read_timeout: float | None = 5.0  # PTB's HTTPXRequest default

    # --- BaseRequest -------------------------------------------------------------------------
    @property
    def read_timeout(self) -> float | None:
        return self.default_read_timeout

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=None, write_timeout=None, connect_timeout=None,
                         pool_timeout=None) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a file download (File.download_*)
            path = url.rsplit("/", 1)[-1]
            return (200, self.files[path]) if path in self.files else (404, b"Not Found")
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files: dict[str, bytes] = {}
        names: dict[str, str] = {}
        if request_data is not None and request_data.contains_files:
            for key, value in request_data.multipart_data.items():
                files[key] = value[1] if isinstance(value, tuple) else value
                if isinstance(value, tuple):
                    names[key] = value[0]
        if self.delay:
            await asyncio.sleep(self.delay)
        chat_id = params.get("chat_id")
        fault = self._fault_for(name, int(chat_id) if chat_id is not None else None)
        if fault is not None and fault.delivered:
            self._serve(name, params, files)
            self._no_answer(fault)
        if fault is not None and fault.status == SLOW:
            # Telegram has done it (the message is delivered); only the answer is late, and a
            # client that stops waiting first sees no answer at all.
            answer = self._serve(name, params, files)
            patience = self.read_timeout if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
            if patience is not None and patience < fault.delay:
                await asyncio.sleep(patience)
                raise TimedOut("the fake Bot API answered too late")
            await asyncio.sleep(fault.delay)
            return answer
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            self._no_answer(fault)
            body: dict[str, Any] = {"ok": False, "error_code": fault.status, "description": fault.description}
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            return fault.status, json.dumps(body).encode()
        return self._serve(name, params, files, names)

    def _serve(self, name: str, params: dict, files: dict[str, bytes],
               names: dict[str, str] | None = None) -> tuple[int, bytes]:
        self.calls.append(Call(name, params, files, names or {}))
        handler = getattr(self, f"_api_{name}", None)
        try:
            result = handler(params, files) if handler else True
        except _ApiError as exc:
            return 400, json.dumps({"ok": False, "error_code": 400, "description": exc.args[0]}).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    @staticmethod
    def _no_answer(fault: Fault) -> None:
        """What PTB raises when no answer comes: TimedOut after its timeout, NetworkError on a drop."""
        if fault.status == TIMEOUT:
            raise TimedOut("the fake Bot API did not answer in time")
        if fault.status == DROPPED:
            raise NetworkError("httpx.RemoteProtocolError: Server disconnected without sending a response.")

    def _fault_for(self, name: str, chat_id: int | None = None) -> Fault | None:
        for fault in self.faults:
            if fault.applies(name, chat_id):
                fault.times -= 1
                return fault
        return None

    def fail(self, method: str, status: int = 500, description: str = "Internal Server Error",
             retry_after: int | None = None, times: int = 1, *, chat_id: int | None = None,
             for_seconds: float | None = None, delivered: bool = False) -> None:
        """The next `times` calls of `method` (to `chat_id`, if given) fail with `status`; with
        `for_seconds`, every such call from now until then does. With `delivered` (TIMEOUT or DROPPED
        only), Telegram carries each call out, and only its answer is lost on the way back."""
        assert not delivered or status in (TIMEOUT, DROPPED), "a call Telegram carried out is answered 200"
        until = time.monotonic() + for_seconds if for_seconds is not None else None
        self.faults.append(Fault(method, status, description, retry_after, times, chat_id=chat_id, until=until,
                                 delivered=delivered))

    def slow(self, method: str, seconds: float, times: int = 1, *, chat_id: int | None = None) -> None:
        """The next `times` calls of `method` (to `chat_id`, if given) are done at once, but answered
        `seconds` late; a client whose read timeout is shorter gets TimedOut instead."""
        self.faults.append(Fault(method, SLOW, "", None, times, delay=seconds, chat_id=chat_id))

    # --- what tests look at ------------------------------------------------------------------
    def sent(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls
                if (method is None or c.method == method) and (chat_id is None or c.chat_id == chat_id)]

    def chat(self, chat_id: int) -> list[dict]:
        """The messages a user sees now in their chat with the bot, oldest first."""
        return [m for (c, _), m in sorted(self.messages.items()) if c == chat_id and m["from"]["id"] == BOT_ID]

    def last(self, chat_id: int) -> dict:
        messages = self.chat(chat_id)
        assert messages, f"the bot has sent nothing to {chat_id}"
        return messages[-1]

    def share(self, other: FakeTelegram) -> None:
        """Be the same Telegram as `other` (two bot processes behind one Bot API): one set of chats,
        files and message numbers, so a message one process sends has a number the other's won't reuse."""
        self.messages, self.files, self._message_ids, self._file_ids = (
            other.messages, other.files, other._message_ids, other._file_ids)

    def add_file(self, data: bytes) -> dict:
        """Put a file on the 'server' as if a user had uploaded it; returns its file fields."""
        n = next(self._file_ids)
        file_id = f"user-file-{n}"
        self.files[file_id] = data
        return {"file_id": file_id, "file_unique_id": f"u{n}", "file_size": len(data)}

    # --- the Bot API methods the bot uses ----------------------------------------------------
    def _new_message(self, chat_id: int, **content) -> dict:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1000))
        message = {
            "message_id": next(counter), "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "EventBot", "username": BOT_USERNAME},
            **content,
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _message(self, params: dict) -> dict:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise _ApiError("Bad Request: message to edit not found")
        return self.messages[key]

    @staticmethod
    def _markup(params: dict) -> dict:
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        return {"reply_markup": markup} if markup and "inline_keyboard" in markup else {}

    def _api_getMe(self, params, files):
        return {"id": BOT_ID, "is_bot": True, "first_name": "EventBot", "username": BOT_USERNAME,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}

    def _api_sendMessage(self, params, files):
        text = params["text"]
        if len(text) > 4096:
            raise _ApiError("Bad Request: message is too long")
        return self._new_message(int(params["chat_id"]), text=text, **self._markup(params))

    def _photo(self, params: dict, files: dict) -> list[dict]:
        photo = params["photo"] if isinstance(params.get("photo"), str) else params.get("media", {}).get("media")
        if photo is None and "photo" in files:  # bytes sent as the multipart field itself
            file = self.add_file(files["photo"])
        elif isinstance(photo, str) and photo.startswith("attach://"):
            data = files[photo[len("attach://"):]]
            file = self.add_file(data)
        elif isinstance(photo, str) and photo in self.files:
            file = {"file_id": photo, "file_unique_id": "u" + photo, "file_size": len(self.files[photo])}
        elif isinstance(photo, str) and photo.startswith("http"):
            file = self.add_file(b"remote")
        else:
            raise _ApiError("Bad Request: wrong file identifier/HTTP URL specified")
        return [{**file, "width": 320, "height": 320}, {**file, "width": 1280, "height": 1280}]

    def _api_sendPhoto(self, params, files):
        caption = params.get("caption", "")
        if len(caption) > 1024:
            raise _ApiError("Bad Request: message caption is too long")
        return self._new_message(int(params["chat_id"]), photo=self._photo(params, files), caption=caption,
                                 **self._markup(params))

    def _api_sendDocument(self, params, files):
        doc = params.get("document")
        data = files.get(doc[len("attach://"):], b"") if isinstance(doc, str) and doc.startswith("attach://") else b""
        if doc is None:  # bytes sent as the multipart field itself
            data = files.get("document", b"")
        file = self.add_file(data)
        return self._new_message(int(params["chat_id"]), document={**file, "file_name": "file"},
                                 caption=params.get("caption", ""), **self._markup(params))

    def _api_editMessageText(self, params, files):
        message = self._message(params)
        if "text" not in message:
            raise _ApiError("Bad Request: there is no text in the message to edit")
        if len(params["text"]) > 4096:
            raise _ApiError("Bad Request: message is too long")
        new = {"text": params["text"], **self._markup(params)}
        return self._edit(message, new)

    def _api_editMessageCaption(self, params, files):
        message = self._message(params)
        if "photo" not in message and "document" not in message:
            raise _ApiError("Bad Request: there is no caption in the message to edit")
        if len(params.get("caption", "")) > 1024:
            raise _ApiError("Bad Request: message caption is too long")
        return self._edit(message, {"caption": params.get("caption", ""), **self._markup(params)})

    def _api_editMessageReplyMarkup(self, params, files):
        return self._edit(self._message(params), self._markup(params))

    def _api_editMessageMedia(self, params, files):
        message = self._message(params)
        media = params["media"] if isinstance(params["media"], dict) else json.loads(params["media"])
        params = {**params, "media": media}
        return self._edit(message, {"photo": self._photo(params, files), "caption": media.get("caption", ""),
                                    **self._markup(params)})

    def _edit(self, message: dict, new: dict) -> dict:
        if all(message.get(k) == v for k, v in new.items()) and ("reply_markup" in new) == ("reply_markup" in message):
            raise _ApiError("Bad Request: message is not modified: specified new message content and reply "
                            "markup are exactly the same as a current content and reply markup of the message")
        message.pop("reply_markup", None)
        message.update(new)
        message["edit_date"] = int(time.time())
        return message

    def _api_deleteMessage(self, params, files):
        key = (int(params["chat_id"]), int(params["message_id"]))
        if self.messages.pop(key, None) is None:
            raise _ApiError("Bad Request: message to delete not found")
        return True

    def _api_getFile(self, params, files):
        file_id = params["file_id"]
        if file_id not in self.files:
            raise _ApiError("Bad Request: invalid file_id")
        return {"file_id": file_id, "file_unique_id": "u" + file_id, "file_size": len(self.files[file_id]),
                "file_path": file_id}

    def _api_getUpdates(self, params, files):
        return []


class _ApiError(Exception):
    pass
