"""A handler that fails: the user hears an apology in their language, the log has the update, and the
operators' chat (OPERATOR_CHAT_ID) one report per kind of error a minute, without the bot token."""
from __future__ import annotations

import html
import inspect
import json
import logging
import re
from pathlib import Path

import pytest
from telegram.error import TimedOut

import db.booking
import db.events
from bot.config import Settings
from handlers.errors import error_reports
from tests.conftest import TOKEN
from tests.driver import User
from tests.fake_telegram import FakeTelegram
from views.formatting import MESSAGE_LIMIT
from views.texts import t

OPERATORS = -1001234567890  # a group, as most teams would use
ROOT = Path(__file__).resolve().parent.parent


class Clock:
    """Stands in for time.monotonic: the test moves it instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def ops_app(make_app, clock):
    """The bot with an operators' chat, on the test's clock."""
    app = await make_app(operator_chat_id=OPERATORS)
    error_reports(app).clock = clock
    return app


def break_rule(monkeypatch, module, name: str, error: type[Exception], message: str = "boom") -> list[str]:
    """Make a rule raise; returns where our code called it from ("handlers/x.py:12"), one per call:
    the place an operator's report should name."""
    called_from: list[str] = []

    async def broken(*args, **kwargs):
        caller = inspect.currentframe().f_back
        called_from.append(f"{Path(caller.f_code.co_filename).relative_to(ROOT).as_posix()}:{caller.f_lineno}")
        raise error(message)

    monkeypatch.setattr(module, name, broken)
    return called_from


def reports(api: FakeTelegram) -> list[str]:
    """What the operators read, as Telegram shows it: the HTML must hold only tags Telegram knows,
    and every <, > and & in the text must be escaped, or Telegram would refuse the message."""
    seen = []
    for message in api.chat(OPERATORS):
        report = message["text"]
        assert len(report) <= MESSAGE_LIMIT
        bare = re.sub(r"</?(b|i|code|pre)>", "", report)
        assert "<" not in bare and ">" not in bare, report
        assert not re.search(r"&(?!(amp|lt|gt|quot);)", bare), report
        seen.append(html.unescape(bare))
    return seen


def apologies(api: FakeTelegram, chat_id: int, lang: str = "en") -> int:
    return sum(m.get("text") == t(lang, "error") for m in api.chat(chat_id))


async def test_the_user_hears_sorry_in_russian_and_the_operators_get_one_report_without_the_token(
        ops_app, api, monkeypatch, caplog):
    url = f"https://api.telegram.org/bot{TOKEN}/sendMessage"
    called_from = break_rule(monkeypatch, db.events, "upcoming_page", RuntimeError, f"POST {url}: 502")
    ivan = User(ops_app, api, 2002, "Иван", "ru")

    update = ivan.message_update("/events")
    await ops_app.process_update(update)

    assert ivan.screen() == t("ru", "error")
    [report] = reports(api)
    assert report.startswith(f"⚠️ RuntimeError at {called_from[0]}\n")
    assert f"Update {update.update_id} · chat {ivan.id} · user {ivan.id}\nCommand: /events\n" in report
    assert "RuntimeError: POST https://api.telegram.org/bot<BOT_TOKEN>/sendMessage: 502" in report
    where, line = called_from[0].split(":")
    assert f'{where}", line {line}' in report and 'handlers/events.py", line ' in report, "the traceback's end"
    raw = api.chat(OPERATORS)[0]["text"]
    assert TOKEN not in raw and TOKEN.split(":")[1] not in raw
    [logged] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert f"RuntimeError at {called_from[0]}" in logged.getMessage()
    assert f"update_id={update.update_id}" in logged.getMessage(), "the log names the update"


async def test_one_report_per_kind_a_minute_then_the_count_of_those_left_out(ops_app, api, monkeypatch, clock):
    called_from = break_rule(monkeypatch, db.events, "upcoming_page", RuntimeError)
    alice = User(ops_app, api, 1001)

    await alice.send("/events")
    for _ in range(5):
        clock.advance(10)
        await alice.send("/events")
    assert apologies(api, alice.id) == 6, "every failure is apologised for"
    [first] = reports(api)
    assert "Not reported" not in first

    clock.advance(11)  # 61 s after the first report
    await alice.send("/events")
    assert len(reports(api)) == 2
    second = reports(api)[1]
    assert second.startswith(f"⚠️ RuntimeError at {called_from[0]}\n")
    assert "Not reported since the last report of this error: 5 more." in second

    # Another exception at the same place, and the same exception at another place: new kinds.
    break_rule(monkeypatch, db.events, "upcoming_page", ValueError)
    await alice.send("/events")
    elsewhere = break_rule(monkeypatch, db.events, "event_summary", RuntimeError)
    await alice.send("/start event_1")
    assert elsewhere[0] != called_from[0]
    assert [r.splitlines()[0] for r in reports(api)[2:]] == [
        f"⚠️ ValueError at {called_from[0]}", f"⚠️ RuntimeError at {elsewhere[0]}"]
    assert all("Not reported" not in r for r in reports(api)[2:])

    # Within the window of the second report, the first kind stays quiet.
    break_rule(monkeypatch, db.events, "upcoming_page", RuntimeError)
    await alice.send("/events")
    assert len(reports(api)) == 4
    assert apologies(api, alice.id) == 10


async def test_a_tap_is_reported_with_its_button_data(ops_app, api, monkeypatch, add_event):
    event = await add_event("Jazz Night")
    alice = User(ops_app, api, 1001)
    await alice.send("/events")
    break_rule(monkeypatch, db.events, "event_summary", RuntimeError)

    calls = await alice.tap("Jazz Night")

    told = [c for c in calls if c.chat_id != OPERATORS and c.text == t("en", "error")]
    assert len(told) == 1, "an alert on the tap, or a message when the tap was already answered"
    [report] = reports(api)
    assert f"Button: ev:card:{event.id}:0" in report and f"chat {alice.id} · user {alice.id}" in report


async def test_a_huge_error_and_command_still_make_one_valid_message(ops_app, api, monkeypatch):
    break_rule(monkeypatch, db.events, "upcoming_page", RuntimeError, f"{TOKEN} " + "<b>&" * 3000)
    alice = User(ops_app, api, 1001)

    await alice.send("/events " + "<i>&amp;" * 400)

    [report] = reports(api)  # each one checks the length and the escaping
    assert "Command: /events <i>&amp;<i>&amp;" in report and "<i>&amp;" * 400 not in report
    assert "RuntimeError: <BOT_TOKEN> <b>&<b>&" in report
    assert TOKEN not in api.chat(OPERATORS)[0]["text"]


async def test_the_operators_read_the_default_language(make_app, api, monkeypatch, clock):
    app = await make_app(operator_chat_id=OPERATORS, default_language="ru")
    break_rule(monkeypatch, db.events, "upcoming_page", RuntimeError)
    alice = User(app, api, 1001, language_code="en")

    await alice.send("/events")

    assert alice.screen() == t("en", "error")
    [report] = reports(api)
    assert "Команда: /events" in report and "Обновление" in report


async def test_an_error_outside_any_update_is_reported_too(ops_app, api):
    try:
        raise RuntimeError("a job failed")
    except RuntimeError as error:
        await ops_app.process_error(None, error)

    [report] = reports(api)
    # No frame of our code in it: the innermost frame is named instead.
    assert report.startswith("⚠️ RuntimeError at test_errors.py:")
    assert "Not while handling an update" in report and "RuntimeError: a job failed" in report


async def test_no_operators_chat_means_no_reports(app, api, monkeypatch):
    break_rule(monkeypatch, db.events, "upcoming_page", RuntimeError)
    alice = User(app, api, 1001)

    await alice.send("/events")

    assert alice.screen() == t("en", "error")
    assert {c.chat_id for c in api.calls if c.chat_id is not None} == {alice.id}


def test_operator_chat_id_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPERATOR_CHAT_ID", "")
    assert Settings(_env_file=None).operator_chat_id is None
    monkeypatch.setenv("OPERATOR_CHAT_ID", "-1001234567890")
    assert Settings(_env_file=None).operator_chat_id == -1001234567890


class OperatorsUnreachable(FakeTelegram):
    """Telegram answers everyone but the operators' chat: wrong chat ID, or the network is down."""

    def __init__(self, failure: str) -> None:
        super().__init__()
        self.failure = failure
        self.attempts = 0

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        if request_data is not None and str(request_data.parameters.get("chat_id")) == str(OPERATORS):
            self.attempts += 1
            if self.failure == "timeout":
                raise TimedOut("the operators' chat did not answer")
            body = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            return 400, json.dumps(body).encode()
        return await super().do_request(url, method, request_data, *args, **kwargs)


@pytest.mark.parametrize("failure", ["chat not found", "timeout"])
async def test_a_report_that_cannot_be_sent_is_logged_and_the_user_still_hears_sorry(
        make_app, monkeypatch, clock, caplog, failure):
    fake = OperatorsUnreachable(failure)
    app = await make_app(fake, operator_chat_id=OPERATORS)
    error_reports(app).clock = clock
    break_rule(monkeypatch, db.events, "upcoming_page", RuntimeError)
    alice = User(app, fake, 1001)

    await alice.send("/events")

    assert alice.screen() == t("en", "error")
    assert fake.attempts == 1, "one try, no loop through the error handler"
    assert any("could not report the error" in r.getMessage() for r in caplog.records)
    assert {r.name for r in caplog.records if r.levelno >= logging.ERROR} == {"handlers.errors"}, \
        "only the failure itself is an error: the error handler raised nothing"

    clock.advance(61)
    await alice.send("/events")
    assert fake.attempts == 2 and apologies(fake, alice.id) == 2
