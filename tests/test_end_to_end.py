"""What README promises, as a new user runs it: `eventbot demo`, then `eventbot run` talking to a Bot
API server at TELEGRAM_BASE_URL (here the fake one, over real HTTP), and a chat in two languages."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

from tests.conftest import TOKEN
from tests.fake_server import FakeBotApiServer

USER = 4242


def _env(tmp_path, server: FakeBotApiServer) -> dict:
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": server.url, "LOG_LEVEL": "INFO"}


async def _until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_demo_then_run_against_a_bot_api_server(tmp_path):
    demo = subprocess.run([sys.executable, "-m", "bot", "demo"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}, timeout=120)
    assert demo.returncode == 0 and "loaded 6 demo events" in demo.stdout
    assert (tmp_path / "eventbot.db").exists()  # the default: a SQLite file in the working directory

    with FakeBotApiServer() as server:
        bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path,
                                                   env=_env(tmp_path, server), stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
        update_id = 0

        def say(text: str, lang: str = "ru") -> None:
            nonlocal update_id
            update_id += 1
            server.push({"update_id": update_id, "message": {
                "message_id": update_id, "date": int(time.time()), "text": text,
                "chat": {"id": USER, "type": "private"},
                "from": {"id": USER, "is_bot": False, "first_name": "Айгерим", "language_code": lang},
                "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}})

        def tap(message: dict, label: str) -> None:
            nonlocal update_id
            update_id += 1
            button = next(b for row in message["reply_markup"]["inline_keyboard"] for b in row if label in b["text"])
            server.push({"update_id": update_id, "callback_query": {
                "id": f"q{update_id}", "chat_instance": "1", "data": button["callback_data"], "message": message,
                "from": {"id": USER, "is_bot": False, "first_name": "Айгерим", "language_code": "ru"}}})

        def last() -> dict:
            with server.lock:
                return server.api.last(USER) if server.api.chat(USER) else {}

        try:
            say("/start")
            await _until(lambda: "Привет" in last().get("text", ""))
            assert server.calls("setMyCommands")
            tap(last(), "События")
            await _until(lambda: "Ближайшие события" in last().get("text", ""))
            tap(last(), "Jazz Night")
            await _until(lambda: "photo" in last())  # the poster, uploaded as a file the first time
            photo = server.calls("sendPhoto")[-1]
            assert photo.files and "Jazz Night" in photo.params["caption"]
            tap(last(), "Выбрать место")
            await _until(lambda: "Выберите место" in last().get("caption", ""))
            tap(last(), "Лучшее место")
            await _until(lambda: "Подтвердите" in last().get("caption", ""))
            tap(last(), "Подтвердить")
            await _until(lambda: "Забронировано" in last().get("caption", ""))
            say("/mybookings", lang="en")  # the stored language wins over Telegram's
            await _until(lambda: "Мои брони (1)" in last().get("text", "").replace("<b>", "").replace("</b>", ""))
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 20)
        output = (await bot.stdout.read()).decode()
        assert bot.returncode == 0, output
        assert TOKEN not in output and TOKEN.split(":")[1] not in output
        assert "Traceback" not in output, output
