"""The fake Bot API served over real HTTP, for a bot running as a separate process.

It wraps FakeTelegram's method handlers and adds what polling needs: a queue of updates that
getUpdates hands out (long polling) and forgets only once a later offset acknowledges them.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from email.parser import BytesParser
from email.policy import default
from urllib.parse import parse_qs

from tests.fake_telegram import Call, FakeTelegram, _ApiError

JSON_FIELDS = {"reply_markup", "media", "allowed_updates", "commands", "scope", "link_preview_options",
               "reply_parameters", "entities", "caption_entities"}


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Fields and files of a multipart/form-data body (how PTB uploads photos and documents)."""
    message = BytesParser(policy=default).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[name] = payload
        else:
            params[name] = payload.decode()
    return params, files


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A bot killed mid-request (the crash test does it on purpose) leaves a broken pipe here.
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class FakeBotApiServer:
    def __init__(self) -> None:
        self.api = FakeTelegram()
        self.lock = threading.Condition()
        self.pending: list[dict] = []      # updates not yet acknowledged
        self.acknowledged = 0              # highest update_id confirmed by an offset
        self.delivered: dict[int, int] = {}  # update_id -> times handed out
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FakeBotApiServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def push(self, update: dict) -> None:
        with self.lock:
            self.pending.append(update)
            self.lock.notify_all()

    def calls(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.api.calls if c.method == method]

    def message(self, chat_id: int, message_id: int) -> dict | None:
        with self.lock:
            return self.api.messages.get((chat_id, message_id))

    def latest(self, chat_id: int) -> dict | None:
        """The bot's latest message in the chat."""
        with self.lock:
            messages = self.api.chat(chat_id)
            return dict(messages[-1]) if messages else None

    def shown(self, chat_id: int) -> str:
        """What the bot's latest message in the chat says (its text, or a photo's caption)."""
        message = self.latest(chat_id) or {}
        return message.get("text") or message.get("caption") or ""

    def _get_updates(self, params: dict[str, Any]) -> list[dict]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        with self.lock:
            if offset:
                self.acknowledged = max(self.acknowledged, offset - 1)
                self.pending = [u for u in self.pending if u["update_id"] >= offset]
            if not self.pending and timeout:
                self.lock.wait(timeout=min(timeout, 1.0))
            batch = self.pending[:limit]
            for u in batch:
                self.delivered[u["update_id"]] = self.delivered.get(u["update_id"], 0) + 1
            return batch

    def _call(self, method: str, params: dict[str, Any], files: dict[str, bytes] | None = None) -> tuple[int, dict]:
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        with self.lock:
            fault = self.api._fault_for(method)  # set with server.api.fail(...), as on the in-process fake
            if fault is not None:
                body: dict[str, Any] = {"ok": False, "error_code": fault.status, "description": fault.description}
                if fault.retry_after is not None:
                    body["parameters"] = {"retry_after": fault.retry_after}
                return fault.status, body
            self.api.calls.append(Call(method, params, files or {}))
            handler = getattr(self.api, f"_api_{method}", None)
            try:
                result = handler(params, files or {}) if handler else True
            except _ApiError as exc:
                return 400, {"ok": False, "error_code": 400, "description": exc.args[0]}
        return 200, {"ok": True, "result": result}

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                content_type = self.headers.get("Content-Type", "")
                files: dict[str, bytes] = {}
                if content_type.startswith("application/json"):
                    params = json.loads(raw or b"{}")
                elif content_type.startswith("multipart/form-data"):
                    params, files = _multipart(content_type, raw)
                else:
                    params = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                for key in JSON_FIELDS & params.keys():
                    if isinstance(params[key], str):
                        params[key] = json.loads(params[key])
                method = self.path.rsplit("/", 1)[-1]
                status, body = server._call(method, params, files)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        return Handler
