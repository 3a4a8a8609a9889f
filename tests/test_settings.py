"""Settings a new user gets wrong, and the token staying out of logs."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.logs import RedactSecrets, setup
from tests.conftest import TOKEN

EVENTBOT = Path(sys.executable).with_name("eventbot")


def start_eventbot(cwd: Path, *args: str, **env: str) -> subprocess.Popen:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), **env}
    return subprocess.Popen([str(EVENTBOT), *args], cwd=cwd, env=clean, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


# (BOT_TOKEN in the environment or None, .env file text or None, other settings, what stderr says)
CASES = [
    (None, None, {}, "BOT_TOKEN is not set"),
    ("   ", None, {}, "BOT_TOKEN is not set"),
    ("not-a-token", None, {}, "does not look like a bot token"),
    ("123456789:short", None, {}, "does not look like a bot token"),
    (None, "BOT_TOKEN=oops\n", {}, "does not look like a bot token"),
    (TOKEN, None, {"TIMEZONE": "Mars/Olympus"}, "TIMEZONE"),
    (TOKEN, None, {"LOG_LEVEL": "verbose"}, "LOG_LEVEL"),
]


def test_a_token_with_stray_spaces_is_used_and_redacted_as_the_bot_sees_it():
    from bot.config import Settings

    settings = Settings(_env_file=None, bot_token=f"  {TOKEN} \n")
    assert settings.bot_token.get_secret_value() == TOKEN and settings.token_problem() is None


def test_run_without_usable_settings_says_so_in_one_line(tmp_path):
    """A clean environment in an empty directory, as a new user has it; the cases run side by side."""
    running = []
    for i, (token, dotenv, extra, says) in enumerate(CASES):
        cwd = tmp_path / f"case{i}"
        cwd.mkdir()
        env = {"DATABASE_URL": f"sqlite+aiosqlite:///{cwd}/bot.db", **extra}
        if token is not None:
            env["BOT_TOKEN"] = token
        if dotenv is not None:
            (cwd / ".env").write_text(dotenv)
        running.append((start_eventbot(cwd, "run", **env), token, dotenv, says))
    for process, token, dotenv, says in running:
        out, err = process.communicate(timeout=60)
        assert process.returncode != 0, (says, err)
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("eventbot: ") and says in lines[0], err
        assert "Traceback" not in err + out
        for secret in (token, "oops" if dotenv else None):
            if secret and secret.strip():
                assert secret not in err + out


@pytest.fixture
def root_logging():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def test_token_is_redacted_from_log_records(root_logging, capsys):
    setup("INFO", TOKEN)
    log = logging.getLogger("telegram.ext.Updater")
    url = f"https://api.telegram.org/bot{TOKEN}/getUpdates"
    log.info("POST %s", url)
    log.warning("failed: " + url)
    try:
        raise RuntimeError(f"cannot reach {url}")
    except RuntimeError:
        log.exception("network trouble")
    log.info("nothing secret here: %d updates", 3)
    err = capsys.readouterr().err
    assert TOKEN not in err
    assert err.count("<BOT_TOKEN>") >= 3
    assert "https://api.telegram.org/bot<BOT_TOKEN>/getUpdates" in err
    assert "RuntimeError" in err, "the traceback is kept, only the token goes"
    assert "nothing secret here: 3 updates" in err


def test_redact_filter_on_a_record():
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "GET %s -> %s",
                               (f"https://api.telegram.org/bot{TOKEN}/getMe", 200), None)
    assert RedactSecrets(TOKEN).filter(record) is True
    assert record.getMessage() == "GET https://api.telegram.org/bot<BOT_TOKEN>/getMe -> 200"
    untouched = logging.LogRecord("x", logging.INFO, __file__, 1, "plain %s", ("text",), None)
    RedactSecrets(TOKEN).filter(untouched)
    assert untouched.getMessage() == "plain text"
    # An empty secret (no token configured) must not redact everything.
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    RedactSecrets("").filter(record)
    assert record.getMessage() == "hello"


def test_token_stays_out_of_the_logs_of_a_real_run(tmp_path):
    """`eventbot run` at DEBUG against a Bot API server that isn't there: the logs name the API URL
    (which holds the token) several times, always redacted, and the run ends with one clear line."""
    process = start_eventbot(tmp_path, "run", BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL="http://127.0.0.1:9",
                             LOG_LEVEL="DEBUG", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/bot.db")
    out, err = process.communicate(timeout=60)
    assert process.returncode != 0
    assert TOKEN not in out + err and TOKEN.split(":")[1] not in out + err
    assert "http://127.0.0.1:9/bot<BOT_TOKEN>" in err
    assert err.strip().splitlines()[-1].startswith("eventbot: cannot reach the Telegram Bot API")
    assert "Traceback" not in err
