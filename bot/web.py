"""The bot's HTTP side: Telegram's webhook, /healthz and /metrics (Starlette on uvicorn, run in the
bot's own event loop, as PTB's "customwebhookbot" example does).

PTB's built-in webhook server answers Telegram as soon as an update is queued in memory, so a
`kill -9` loses the updates in flight. Here an update is stored in the inbox (bot/intake.py) before
Telegram gets its 200; an update that could not be stored gets a 503, and Telegram sends again
whatever was not answered 200. Handling goes on from the inbox in the background, as after polling.
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot import polling
from bot.config import Settings
from bot.intake import intake_of
from bot.metrics import metrics_of, read_queues

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STOP_GRACE = 10.0   # seconds requests in flight (storing an update) get to finish when the server stops


class ListenError(Exception):
    """The port could not be listened on (in use, no permission, unknown address)."""


def web_app(application: Application, *, webhook_path: str | None = None, secret: str | None = None) -> Starlette:
    """/healthz and /metrics, and with `webhook_path`, Telegram's webhook at POST /<webhook_path>
    (requests without `secret` in the secret-token header get 403, when a secret is given)."""
    db = application.bot_data["db"]
    expected = secret.encode() if secret else None

    async def telegram_update(request: Request) -> Response:
        if expected is not None:
            # Starlette decodes headers as latin-1, so encoding back gives the bytes that were sent.
            given = request.headers.get(SECRET_HEADER, "").encode("latin-1")
            if not secrets.compare_digest(given, expected):
                return PlainTextResponse("Forbidden", status_code=403)
        try:
            data = json.loads(await request.body())
            if not isinstance(data, dict) or type(data.get("update_id")) is not int:
                raise ValueError("not an update")
            update = Update.de_json(data, application.bot)
        except Exception:  # noqa: BLE001 - whatever the body is, it is not an update: say so, no traceback
            return PlainTextResponse("Bad Request: not a Telegram update", status_code=400)
        try:
            await intake_of(application).accept([update])
        except Exception:  # noqa: BLE001 - not stored, so not acknowledged: Telegram sends it again
            log.exception("could not store update %s; Telegram will send it again", update.update_id)
            return PlainTextResponse("Service Unavailable: not stored", status_code=503)
        return Response(status_code=200)

    async def healthz(request: Request) -> Response:
        try:
            queues = await read_queues(db)
        except Exception as exc:  # noqa: BLE001 - an unreachable database is the answer, not an error
            log.warning("healthz: the database did not answer (%s)", type(exc).__name__)
            return JSONResponse({"database": "error", "inbox_pending": None, "oldest_pending_seconds": None,
                                 "outbox_pending": None}, status_code=503)
        return JSONResponse({"database": "ok", "inbox_pending": queues.inbox_pending,
                             "oldest_pending_seconds": round(queues.oldest_pending_seconds or 0.0, 3),
                             "outbox_pending": queues.outbox_pending})

    async def metrics(request: Request) -> Response:
        figures = metrics_of(application)
        await figures.refresh(db)
        return Response(generate_latest(figures.registry), media_type=CONTENT_TYPE_LATEST)

    routes = [Route("/healthz", healthz, methods=["GET"]), Route("/metrics", metrics, methods=["GET"])]
    if webhook_path is not None:
        routes.append(Route("/" + webhook_path.strip("/"), telegram_update, methods=["POST"]))
    return Starlette(routes=routes)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket, bound here so a taken port is a one-line error before anything starts
    (and Telegram's requests queue in it from this moment on)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        raise ListenError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from exc


@dataclass
class Listening:
    server: uvicorn.Server
    task: asyncio.Task
    port: int


@asynccontextmanager
async def serving(app: Starlette, host: str, port: int) -> AsyncIterator[Listening]:
    """Serve `app` on host:port (0: any free port) in this event loop until the block ends.

    Signals are the bot's: whoever runs this stops on SIGINT/SIGTERM through its own asyncio handlers
    (uvicorn also sees them and stops its server; it is stopped here either way)."""
    sock = listen(host, port)
    config = uvicorn.Config(app, host=host, port=sock.getsockname()[1], log_level="warning",
                            log_config=None,  # our logging set-up (bot/logs.py) formats and redacts
                            access_log=False, lifespan="off", timeout_graceful_shutdown=int(STOP_GRACE))
    server = uvicorn.Server(config)
    task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]), name=f"http-{config.port}")
    try:
        yield Listening(server, task, config.port)
    finally:
        server.should_exit = True
        try:
            await task
        finally:
            sock.close()


async def run_webhook(application: Application, settings: Settings) -> None:
    """Webhook mode: serve Telegram's webhook (and /healthz, /metrics) until SIGINT/SIGTERM, then stop
    taking updates, finish the ones in flight and shut down, as bot/polling.py's run() does."""
    stop = asyncio.Event()
    polling.stop_on_signals(stop)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if secret is None:
        # Without it anyone who finds the URL could post updates in any user's name (an admin's
        # included). One made up here protects a single worker; several behind one URL must share one.
        secret = secrets.token_urlsafe(32)
        log.warning("WEBHOOK_SECRET is not set: using a random one for this run (set it when several "
                    "workers share the webhook)")
    async with AsyncExitStack() as servers:
        # Listening first: a taken port fails before Telegram is told to send anything here.
        webhook = await servers.enter_async_context(serving(
            web_app(application, webhook_path=settings.webhook_path, secret=secret),
            settings.webhook_listen, settings.webhook_port))
        serve_tasks = [webhook.task]
        if settings.http_port and settings.http_port != settings.webhook_port:
            health = await servers.enter_async_context(
                serving(web_app(application), settings.http_listen, settings.http_port))
            serve_tasks.append(health.task)
        await application.initialize()
        try:
            if application.post_init:
                await application.post_init(application)
            await application.start()
            try:
                await application.bot.set_webhook(url=settings.webhook_url, secret_token=secret,
                                                  allowed_updates=Update.ALL_TYPES)
                log.info("eventbot is taking updates at its webhook as @%s", application.bot.username)
                stopping = asyncio.ensure_future(stop.wait())
                await asyncio.wait([stopping, *serve_tasks], return_when=asyncio.FIRST_COMPLETED)
                stopping.cancel()
            finally:
                # No more 200s for updates that can't be handled now (they stay with Telegram), then
                # the stored ones in flight finish while the bot can still answer.
                await servers.aclose()
                await intake_of(application).stop()
                await application.stop()
        finally:
            await application.shutdown()
            if application.post_shutdown:
                await application.post_shutdown(application)


async def run_polling(application: Application, settings: Settings) -> None:
    """Polling mode (bot/polling.py), with /healthz and /metrics on HTTP_PORT when it is set."""
    if not settings.http_port:
        await polling.run(application)
        return
    async with serving(web_app(application), settings.http_listen, settings.http_port):
        await polling.run(application)
