"""A fuzz of bad inputs (hypothesis) in every state of every flow.

Random text (HTML, very long, blank), random commands, photos and documents of random bytes,
stickers, pins, contacts, edited messages, random or forged button data and taps on the buttons the
screen really shows (so real bookings and cancellations happen too) are fed to the real Application in
each state a user can be in: the main menu, the events list, an event card (with a
poster and without), the seat map, the confirmation, /mybookings and its cancel question, the
language choice (the longest of them in Russian too); and for the organiser each step of the
/addevent wizard, its preview, /myevents, an event's admin card, a field of a published event being
changed, an announcement being written and awaiting Send. The world has an event whose title, venue
and description are as hostile as the wizard allows (200 characters that are 1000 once escaped), and
users with hostile names. Messages also arrive from a group chat.

After every single input:
- no exception reached the error handler and nothing was logged at ERROR;
- every tap got exactly one answerCallbackQuery, every message in the private chat got a reply
  (an edited message is not a request: it is ignored);
- everything the bot sent is within Telegram's limits and is well-formed Telegram HTML, so text a
  user typed is shown escaped (a raw "<script>" can't survive);
- the database is unchanged unless the input was a valid request (an oracle says which: a free
  seat of the same event, one's own booking, an existing event for an organiser's button, an answer
  the wizard's own rules accept); a rejected wizard answer is explained and leaves the draft as it was.

FUZZ_EXAMPLES scales the number of hypothesis examples per state (default 4).

Reproducible: the run is derandomized, each test (each state) with its own fixed seed, so CI and a
laptop feed the same inputs and a failure in a CI log fails again on `pytest '<its test id>'`. On
failure hypothesis prints the shrunk inputs and a `@reproduce_failure(...)` line to paste above the
test. FUZZ_RANDOM=1 explores fresh examples on each run instead (hypothesis prints the same).
"""
from __future__ import annotations

import dataclasses
import logging
import os
import re
import string
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from telegram import Update

from views import buttons as callbacks
from views.texts import LANGUAGES, t
from bot import outbox as outbox_worker
from db import drafts
from db.booking import book
from db.models import Booking, Event, EventDraft, Poster, Seat, utcnow
from db.models import User as UserRow
from db.users import upsert_user
from handlers.admin.answers import answer_from
from tests.conftest import ADMIN_ID
from tests.driver import User
from tests.fake_telegram import BOT_USERNAME, Call
from tests.helpers import ACTIVE, assert_keyboard_limits, keyboard, poster_png

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
# derandomize: the seed comes from the test's code and, under pytest, its id (one per state).
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                derandomize=not os.environ.get("FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

ALICE, OTHER = 1001, 2002
MISSING = 999_999

# --- what the bot sends must be ------------------------------------------------------------------------

# https://core.telegram.org/bots/api#html-style
_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler",
                 "span", "blockquote", "tg-emoji"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


def assert_telegram_html(text: str) -> None:
    """Well-formed Telegram HTML: only its tags, balanced, and every other <, > and & escaped."""
    stack: list[str] = []
    for match in _TAG.finditer(text):
        closing, name = match.group(1), match.group(2).lower()
        assert name in _ALLOWED_TAGS, f"tag <{name}> in {text[:300]!r}"
        if closing:
            assert stack and stack[-1] == name, f"unbalanced </{name}> in {text[:300]!r}"
            stack.pop()
        else:
            stack.append(name)
    assert not stack, f"unclosed {stack} in {text[:300]!r}"
    rest = _TAG.sub("", text)
    assert "<" not in rest and ">" not in rest, f"a raw < or > in {text[:300]!r}"
    for i, char in enumerate(rest):
        if char == "&":
            assert _ENTITY.match(rest, i), f"a raw & in {rest[max(0, i - 40):i + 40]!r}"


def assert_sane(call: Call) -> None:
    params = call.params
    html = params.get("parse_mode") == "HTML"
    if "text" in params and call.method != "answerCallbackQuery":
        assert 1 <= len(params["text"]) <= 4096, f"{call.method} text of {len(params['text'])}"
        if html:
            assert_telegram_html(params["text"])
    if "caption" in params:
        assert len(params["caption"]) <= 1024, f"{call.method} caption of {len(params['caption'])}"
        if html:
            assert_telegram_html(params["caption"])
    if call.method == "answerCallbackQuery":
        assert len(params.get("text") or "") <= 200
    assert_keyboard_limits(call.keyboard)


# --- the world the fuzz runs in ----------------------------------------------------------------------

NASTY_TITLE = ("<script>alert(1)</script> «Ночь» " + "&" * 200)[:200]  # 1000 characters once escaped


@dataclass
class World:
    plain: int          # 3x5, open, Alice and Other each hold a seat
    poster: int         # with a poster and a hostile title
    free_seat: int      # a free seat of `plain`
    taken_seat: int     # Other's seat of `plain`
    foreign_seat: int   # a seat of `poster`
    mine: int           # Alice's booking
    others: int         # Other's booking
    ids: dict[str, int] = field(default_factory=dict)


@pytest.fixture
async def world(db, add_event, monkeypatch) -> World:
    monkeypatch.setattr(outbox_worker, "SEND_RATE", 10_000)  # letters to attendees go out unpaced
    plain = await add_event("Jazz Night", hall="3x5")
    poster = await add_event(NASTY_TITLE, hall="2x4", poster=poster_png(),
                             venue_name=("Club & <i>Bar</i> " * 20)[:200], venue_address=("<" * 300),
                             description="<script>alert('x')</script> & more " * 150)
    async with db.write() as session:
        await upsert_user(session, ALICE, first_name="Alice", last_name=None, username=None, language="en")
        await upsert_user(session, OTHER, first_name="Bob <b>", last_name="&", username="bob", language="ru")
        seats = dict((await session.execute(select(Seat.label, Seat.id).where(Seat.event_id == plain.id))).all())
        foreign = (await session.execute(select(Seat.id).where(Seat.event_id == poster.id))).scalars().first()
        mine = await book(session, user_id=ALICE, event_id=plain.id, seat_id=seats["A2"], limit=4)
        others = await book(session, user_id=OTHER, event_id=plain.id, seat_id=seats["A1"], limit=4)
        for seat_id in (await session.execute(select(Seat.id).where(Seat.event_id == poster.id))).scalars().all()[1:5]:
            await book(session, user_id=ALICE, event_id=poster.id, seat_id=seat_id, limit=4)  # /mybookings: 5 long entries
    w = World(plain.id, poster.id, seats["C5"], seats["A1"], foreign, mine.booking.id, others.booking.id)
    w.ids = {"E": plain.id, "P": poster.id, "S_free": w.free_seat, "S_taken": w.taken_seat,
             "S_foreign": w.foreign_seat, "B_mine": w.mine, "B_other": w.others, "E_missing": MISSING,
             "S_missing": MISSING, "B_missing": MISSING}
    return w


class Errors(logging.Handler):
    """Everything logged at ERROR or above, and every error that reached an error handler."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f" [{record.exc_info[1]!r}]"
        self.records.append(f"{record.name}: {text}")


@pytest.fixture
def errors(app):
    handler = Errors()
    root = logging.getLogger()
    root.addHandler(handler)

    async def record(update, context):
        if not isinstance(context.error, callbacks.StaleButton):  # a forged button, answered by design
            handler.records.append(f"error handler: {context.error!r}")

    app.add_error_handler(record)
    yield handler
    root.removeHandler(handler)
    app.remove_error_handler(record)


# --- inputs --------------------------------------------------------------------------------------------

_FRAGMENTS = ["<b>", "</b>", "<script>", "</script>", "<i>", "<a href='javascript:x'>", "</a>", "&", "&amp;",
              "&lt;", "&#0;", "&#x110000;", "&bogus;", "<", ">", '"', "'", "\u202e", "\u200b", "\x00", "\n", " ",
              "\t", "😀", "👨‍👩‍👧", "𝕏", "ё", "Ё", "х", "/start", "event_1", "1", "0", "-1", "²", "١٢", "10x12",
              "A:5", "A:0", "x:99999", "25.12.2030 19:00", "31.02.2030 19:00", "5000 KZT", "12.345 USD", "₸",
              "1e309", "%s", "{title}", "${x}", "\\", "`", "*", "_", "#concert"]
_SHORT_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=120)
_HTMLISH = st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=40).map("".join)
_LONG = st.builds(lambda frag, n: (frag * n)[:n], st.sampled_from(["&", "<script>", "a ", "я", "😀", "&<>", "x",
                                                                  "Doors open at 7pm. "]),
                  st.one_of(st.integers(190, 5000), st.sampled_from([200, 201, 300, 301, 1000, 1001, 1024, 1025, 3000,
                                                                     3400, 3500, 3501, 4096, 4097])))
_BLANK = st.text(alphabet=" \t\n\u00a0\u2800\u200b\u3000", min_size=1, max_size=20)
TEXT = st.one_of(_SHORT_TEXT, _HTMLISH, _LONG, _BLANK)

_KNOWN = ["start", "help", "events", "search", "mybookings", "language", "addevent", "myevents", "cancel"]
_COMMAND_NAME = st.one_of(st.sampled_from(_KNOWN), st.text(string.ascii_letters + string.digits + "_",
                                                           min_size=1, max_size=32))
_ADDRESSEE = st.sampled_from(["", "", "", f"@{BOT_USERNAME}", "@other_bot"])
_DEEP_LINK = st.one_of(
    st.builds(lambda s: "event_" + s, st.one_of(
        st.integers(-5, 10**25).map(str), st.sampled_from(["", "²", "١٢", "00000000000000000000001", "1x", "{E}",
                                                            "{P}", "{E_missing}", "0", "2147483648"]))),
    _SHORT_TEXT.map(lambda s: s.replace(" ", "")), _HTMLISH.map(lambda s: s.replace(" ", "")))
_ARGS = st.one_of(st.just(""), _SHORT_TEXT, _HTMLISH, _DEEP_LINK)
COMMAND = st.one_of(
    st.builds(lambda n, at, a: (f"/{n}{at} {a}").rstrip(), _COMMAND_NAME, _ADDRESSEE, _ARGS),
    st.builds(lambda at, a: f"/start{at} {a}", _ADDRESSEE, _DEEP_LINK),
    st.sampled_from(["/", "//", "/ start", "/start\n/cancel"]),
)

_MIMES = st.sampled_from([None, "image/png", "image/jpeg", "image/svg+xml", "application/pdf", "text/html",
                          "application/octet-stream", "video/mp4", "", "image/"])
_FILE_NAME = st.one_of(st.none(), _SHORT_TEXT, st.just("<script>.png"), st.just("../../etc/passwd"))
_BYTES = st.binary(max_size=512)

_ARG = st.one_of(
    st.integers(0, 60).map(str),
    st.sampled_from(["{E}", "{P}", "{S_free}", "{S_taken}", "{S_foreign}", "{B_mine}", "{B_other}", "{E_missing}",
                     "{S_missing}", "{B_missing}", "", "-1", "x", "1.5", " 1", "+1", "0x1", "1e3", "١", "²",
                     "00000000000000001", str(2**31 - 1), str(2**31), str(2**53), str(2**53 + 1), str(2**63),
                     str(10**16), str(10**20), "8", "9", "en", "ru", "kk", "EN", "title", "hall", "poster",
                     "concert", "sport", "nope", "a" * 17]),
    st.integers(0, 2**70).map(str),
)
_FIELD_COUNT = {t.prefix: len(dataclasses.fields(t)) for t in callbacks.all_types()}
_KEYS = sorted(_FIELD_COUNT)
_MUTATED = st.builds(lambda key, args, extra: ":".join([key, *args[:_FIELD_COUNT[key] + extra]]),
                     st.sampled_from(_KEYS), st.lists(_ARG, min_size=6, max_size=6), st.sampled_from([0, 0, 0, -1, 1]))
_RANDOM_DATA = st.one_of(st.text(max_size=80).filter(lambda s: len(s.encode()) <= 80),
                         st.text(string.ascii_lowercase + string.digits + ":-", max_size=64),
                         st.builds(lambda p, s: p + s, st.sampled_from(["ev:", "st:", "bk:", "my:", "adm:", "lang:",
                                                                        "menu:", "st:pick:", "adm:cat:"]),
                                   st.text(max_size=30)))
CALLBACK = st.one_of(_MUTATED, _MUTATED, _RANDOM_DATA)
# A button the bot is showing on the state's screen, tapped as it is (the n-th, wrapping round):
# real requests, so bookings are made and cancelled too, not only refused.
SHOWN = st.tuples(st.just("shown"), st.integers(0, 99))
# Which message the tap is on: the screen of the state, the user's first message, or one too old to see.
_ON = st.sampled_from(["screen", "screen", "screen", "first", "inaccessible"])

_COORD = st.tuples(st.floats(-90, 90), st.floats(-180, 180))

INPUT = st.one_of(
    st.tuples(st.just("text"), TEXT),
    st.tuples(st.just("command"), COMMAND),
    st.tuples(st.just("photo"), _BYTES, st.one_of(st.none(), TEXT), st.sampled_from([False, False, False, True])),
    st.tuples(st.just("document"), _BYTES, _MIMES, _FILE_NAME, st.sampled_from([None, None, 30 * 1024 * 1024])),
    st.tuples(st.just("sticker"), st.booleans()),
    st.tuples(st.just("location"), _COORD),
    st.tuples(st.just("venue"), _COORD, _SHORT_TEXT, _SHORT_TEXT),
    st.tuples(st.just("contact"), _SHORT_TEXT),
    st.tuples(st.just("edited"), st.one_of(TEXT, COMMAND)),
    st.tuples(st.just("group"), st.one_of(TEXT, COMMAND)),
    st.tuples(st.just("tap"), CALLBACK, _ON),
    SHOWN,
)
# An attendee's screen is mostly buttons: more taps on them there (Confirm books, "Yes, cancel" cancels).
# (one_of would flatten INPUT's alternatives and make SHOWN one of 25; this picks it a third of the time)
ATTENDEE_INPUTS = st.lists(st.sampled_from([INPUT, INPUT, SHOWN]).flatmap(lambda inputs: inputs),
                           min_size=1, max_size=6)
# The organiser's states mostly read text: more of it there.
ADMIN_INPUTS = st.lists(st.one_of(INPUT, st.tuples(st.just("text"), TEXT)), min_size=1, max_size=6)


def substitute(text: str, w: World) -> str:
    for name, value in w.ids.items():
        text = text.replace("{" + name + "}", str(value))
    return text


_BOT_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{1,32})?")


GROUP_ID = -100777


def text_message(tg: User, text: str, edited: bool = False, group: bool = False) -> Update:
    """A text message as Telegram delivers it: a bot_command entity only where a client would make one."""
    update = tg.message_update(None).to_dict()
    message = update.pop("message")
    message["text"] = text
    if group:
        message["chat"] = {"id": GROUP_ID, "type": "supergroup", "title": "Fans <b>&</b> friends"}
    match = _BOT_COMMAND.match(text)
    if match:
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(match.group(0))}]
    if edited:
        message["edit_date"] = message["date"] + 5
    return Update.de_json({**update, ("edited_message" if edited else "message"): message}, tg.app.bot)


def _kind_of(update: Update) -> str:
    return "command" if update.message.entities else "message"


def build_update(tg: User, item: tuple, w: World, screen: dict | None) -> tuple[str, Update]:
    """(kind, Update) for one generated input; kind is message, command, edited or tap."""
    kind, *rest = item
    api = tg.api
    if kind in ("text", "command"):
        update = text_message(tg, substitute(rest[0], w))
        return _kind_of(update), update
    if kind == "photo":
        data, caption, gone = rest
        file = api.add_file(data)
        if gone:  # a file the Bot API no longer has (getFile fails)
            file = {**file, "file_id": "gone-" + file["file_id"]}
        content: dict[str, Any] = {"photo": [{**file, "width": 90, "height": 90},
                                             {**file, "width": 1280, "height": 960}]}
        if caption:
            content["caption"] = caption
        return "message", tg.message_update(**content)
    if kind == "document":
        data, mime, name, size = rest
        document = api.add_file(data)
        if mime is not None:
            document["mime_type"] = mime
        if name is not None:
            document["file_name"] = name
        if size is not None:
            document["file_size"] = size
        return "message", tg.message_update(document=document)
    if kind == "sticker":
        return "message", tg.message_update(sticker={
            "file_id": "sticker-1", "file_unique_id": "s1", "width": 512, "height": 512,
            "is_animated": rest[0], "is_video": False, "type": "regular", "emoji": "😀"})
    if kind == "location":
        lat, lon = rest[0]
        return "message", tg.message_update(location={"latitude": lat, "longitude": lon})
    if kind == "venue":
        (lat, lon), title, address = rest
        return "message", tg.message_update(venue={"location": {"latitude": lat, "longitude": lon},
                                                   "title": title, "address": address})
    if kind == "contact":
        return "message", tg.message_update(contact={"phone_number": "+7 700 000 00 00", "first_name": rest[0] or "X"})
    if kind == "edited":
        return "edited", text_message(tg, substitute(rest[0], w), edited=True)
    if kind == "group":
        return "group", text_message(tg, substitute(rest[0], w), group=True)
    if kind == "shown":
        message = screen or tg.api.last(tg.id)
        shown = [b["callback_data"] for row in keyboard(message) for b in row if "callback_data" in b]
        return "tap", tg.tap_update(shown[rest[0] % len(shown)] if shown else "", message)
    if kind == "tap":
        data, on = rest
        # A valid request is fine (the oracle allows it) but would move the state away for good.
        if data.startswith("my:cancel:"):
            data = data.replace("{B_mine}", "{B_other}")
        if data.startswith("bk:ok:"):
            data = data.replace("{S_free}", "{S_taken}")
        data = substitute(data, w)
        chat = tg.api.chat(tg.id)
        if on == "inaccessible" or not chat:
            message = {"chat": {"id": tg.id, "type": "private"}, "message_id": 1, "date": 0}
        elif on == "first":
            message = chat[0]
        else:
            message = screen or chat[-1]
        return "tap", tg.tap_update(data, message)
    raise AssertionError(kind)


# --- the database, and which inputs may change it ----------------------------------------------------------

_SNAPSHOT = {
    Event: (), Seat: (), Booking: (), EventDraft: ("updated_at",), Poster: ("telegram_file_id", "card_jpeg",
                                                                          "thumb_jpeg"),
    UserRow: ("updated_at",),
}


async def snapshot(db) -> dict[str, list[tuple]]:
    out = {}
    async with db.read() as session:
        for model, skip in _SNAPSHOT.items():
            columns = [c for c in model.__table__.columns if c.name not in skip]
            rows = await session.execute(select(*columns).order_by(*model.__table__.primary_key.columns))
            out[model.__tablename__] = [tuple(r) for r in rows.all()]
    return out


def changed(before: dict, after: dict) -> dict:
    return {name: ([r for r in before[name] if r not in after[name]], [r for r in after[name] if r not in before[name]])
            for name in before if before[name] != after[name]}


def _drafts(snap: dict, admin_id: int) -> dict[str, tuple]:
    columns = [c.name for c in EventDraft.__table__.columns if c.name != "updated_at"]
    return {row[columns.index("kind")]: dict(zip(columns, row)) for row in snap["event_drafts"]
            if row[columns.index("admin_id")] == admin_id}


def _command(text: str) -> str | None:
    """The command this bot would run for the text ('cancel'), None when it is not one of ours."""
    match = _BOT_COMMAND.match(text)
    if not match:
        return None
    name, _, to = match.group(0)[1:].partition("@")
    if to and to.lower() != BOT_USERNAME.lower():
        return None
    return name.lower()


async def may_change(kind: str, update: Update, snap: dict, w: World, actor: int, db, tz: str) -> bool:
    """The oracle: was this a request the bot should act on (and so may change the database)?"""
    if kind in ("edited", "group"):  # an edit asks for nothing; organising happens in private only
        return False
    is_admin = actor == ADMIN_ID
    own = _drafts(snap, actor)
    draft = own.get("edit") or own.get("new")
    if kind == "command":
        return is_admin and _command(update.message.text) in ("cancel", "addevent")
    if kind == "message":
        if not is_admin or draft is None:
            return False
        if draft["kind"] == "edit" and draft["step"] in (drafts.ANNOUNCE, drafts.ANNOUNCE_CONFIRM):
            return bool(update.message.text and update.message.text.strip())
        if draft["step"] in ("poster", drafts.PREVIEW):
            return False  # random bytes are never a picture; the preview takes buttons only
        value = answer_from(update.message)
        if value is None:
            return False
        try:
            drafts.read_answer(draft["step"], value, tz=tz)
        except drafts.Invalid:
            return False
        if draft["kind"] == "edit" and draft["step"] == "hall":
            return False  # the event has bookings: its hall can't change
        return True
    # a tap
    try:
        cb = callbacks.parse(update.callback_query.data)
    except callbacks.StaleButton:
        return False
    action = cb.prefix.split(":")[1]
    if isinstance(cb, callbacks.LanguagePick):
        return cb.code in LANGUAGES
    if isinstance(cb, callbacks.ConfirmBooking):
        async with db.read() as session:
            seat = await session.get(Seat, cb.seat_id)
            taken = (await session.execute(select(Booking.id).where(
                Booking.seat_id == cb.seat_id, Booking.status.in_(ACTIVE)))).first()
        return seat is not None and seat.event_id == cb.event_id and taken is None
    if isinstance(cb, callbacks.CancelBooking):
        async with db.read() as session:
            booking = await session.get(Booking, cb.booking_id)
        return booking is not None and booking.user_id == actor and booking.status in ACTIVE
    if not cb.prefix.startswith("adm:") or not is_admin:
        return False
    events = {row[0] for row in snap["events"]}
    if action in ("cok", "dok", "set", "ann", "send"):
        return cb.event_id in events
    new = own.get("new")
    if action == "new":
        return True  # opens (or resumes) the /addevent draft, dropping an edit under way
    if new is None:
        return False
    ready = all(drafts.answered(new["data"], f) for f in drafts.FIELDS)
    return {"cat": new["step"] == "category" and getattr(cb, "category", None) in drafts.CATEGORIES,
            "skip": new["step"] == "poster",
            "pub": ready, "field": ready and getattr(cb, "field", None) in drafts.FIELDS,
            "prev": ready, "drop": True}.get(action, False)


# --- driving one input, and what must hold after it ---------------------------------------------------------

async def language_of(db, user_id: int) -> str:
    async with db.read() as session:
        return (await session.execute(select(UserRow.language).where(UserRow.id == user_id))).scalar_one()


@dataclass
class Fed:
    kind: str
    update: Update
    before: dict
    after: dict
    replies: list[Call]


async def feed(tg: User, item: tuple, w: World, db, errors: Errors, screen: dict | None, tz: str) -> Fed:
    kind, update = build_update(tg, item, w, screen)
    before = await snapshot(db)
    lang = await language_of(db, tg.id)
    allowed = await may_change(kind, update, before, w, tg.id, db, tz)
    start, errors_before = len(tg.api.calls), len(errors.records)
    await tg.app.process_update(update)
    await outbox_worker.drain_all(tg.app)
    calls = tg.api.calls[start:]
    data = f" data={update.callback_query.data!r}" if kind == "tap" else ""
    where = f"input {item!r} ({kind}{data}) ->\n" + "\n".join(f"  {c.method} {c.text[:200]!r}" for c in calls)

    assert not errors.records[errors_before:], f"{where}\nerrors: {errors.records[errors_before:]}"
    for call in calls:
        assert_sane(call)
    to_chat = [c for c in calls if c.method in ("sendMessage", "sendPhoto", "sendDocument") and c.chat_id == tg.id]
    if kind == "tap":
        query_id = update.callback_query.id
        answers = [c for c in calls if c.method == "answerCallbackQuery"]
        assert [a.params["callback_query_id"] for a in answers] == [query_id], f"{where}\nnot answered once"
        try:
            callbacks.parse(update.callback_query.data)
        except callbacks.StaleButton:
            assert answers[0].params.get("text") == t(lang, "stale_alert"), where
            assert any(t(lang, "stale") in c.text for c in calls), where
    elif kind == "edited":
        assert not to_chat, f"{where}\nan edited message is not a request"
    elif kind == "group":
        pass  # commands are answered in the group, anything else is not the bot's business
    else:
        assert to_chat, f"{where}\nno reply"
        command = _command(update.message.text or "") if kind == "command" else None
        if kind == "command" and command not in _KNOWN:
            assert [c.text for c in to_chat] == [t(lang, "unknown_command")], where
        if kind == "message" and tg.id != ADMIN_ID:
            if update.message.text:  # text outside a wizard is a search
                assert len(to_chat) == 1, where
                assert to_chat[0].text.startswith("🔎") or to_chat[0].text == t(lang, "search.prompt"), where
            else:
                assert [c.text for c in to_chat] == [t(lang, "unknown_text")], where

    after = await snapshot(db)
    if not allowed:
        assert after == before, f"{where}\nthe database changed: {changed(before, after)}"
    return Fed(kind, update, before, after, to_chat)


# --- the attendee's states -----------------------------------------------------------------------------------

async def enter_attendee(state: str, tg: User, w: World) -> dict:
    """Drive Alice to the state from scratch; the screen she is looking at."""
    await tg.send("/start")
    steps = {
        "menu": [],
        "events": ["ev:list:0"],
        "card": ["ev:list:0", f"ev:card:{w.plain}:0"],
        "poster_card": ["ev:list:0", f"ev:card:{w.poster}:0"],
        "seat_map": [f"ev:card:{w.plain}:0", f"st:map:{w.plain}:0:0"],
        "poster_seat_map": [f"ev:card:{w.poster}:0", f"st:map:{w.poster}:0:0"],
        "confirm": [f"ev:card:{w.plain}:0", f"st:map:{w.plain}:0:0", f"st:pick:{w.plain}:{w.free_seat}"],
        "mybookings": ["my:list:0"],
        "cancel_ask": ["my:list:0", f"my:ask:{w.mine}:0"],
        "language": [],
    }[state]
    if state == "language":
        await tg.send("/language")
    for data in steps:
        await tg.tap(data=data)
    return tg.last()


ATTENDEE_STATES = ["menu", "events", "card", "poster_card", "seat_map", "poster_seat_map", "confirm",
                   "mybookings", "cancel_ask", "language",
                   # Russian texts are longer: the screens where that could matter, once more in Russian.
                   "poster_card@ru", "confirm@ru", "mybookings@ru", "cancel_ask@ru"]


@pytest.mark.parametrize("state", ATTENDEE_STATES)
@FUZZ
@given(inputs=ATTENDEE_INPUTS)
async def test_attendee_states(state, inputs, app, user, db, world, errors, settings):
    tg = user(ALICE, "Alice")
    state, _, lang = state.partition("@")
    for item in inputs:
        async with db.write() as session:  # a tap on lang:set may have switched it
            await session.execute(sql_update(UserRow).where(UserRow.id == ALICE).values(language=lang or "en"))
        errors.records.clear()  # examples share the app: each starts clean
        screen = await enter_attendee(state, tg, world)
        assert not errors.records, errors.records
        fed = await feed(tg, item, world, db, errors, screen, settings.timezone)
        if fed.after["bookings"] != fed.before["bookings"]:  # a real booking or cancel: undo it, so
            await restore_bookings(db, fed.before)            # the next input finds the same world


async def restore_bookings(db, snap: dict) -> None:
    """Put the bookings back as they were in `snap`."""
    columns = [c.name for c in Booking.__table__.columns]
    rows = [dict(zip(columns, row)) for row in snap["bookings"]]
    async with db.write() as session:
        await session.execute(sql_delete(Booking).where(Booking.id.not_in([row["id"] for row in rows])))
        for row in rows:
            await session.execute(sql_update(Booking).where(Booking.id == row["id"]).values(**row))


# --- the organiser's states ---------------------------------------------------------------------------------

def canonical_draft(step: str, tz: str) -> EventDraft:
    """A /addevent draft whose questions before `step` are answered (all of them for the preview)."""
    answers = {"title": "Jazz", "description": "Standards.", "category": "concert",
               "starts_at": (utcnow() + timedelta(days=30)).isoformat(), "venue_name": "Club",
               "venue_address": "Abay 1", "hall": "3x5", "price_minor": 500000, "currency": "KZT", "poster": False}
    reviewing = step in (drafts.PREVIEW, "reviewing")
    if reviewing:
        step = drafts.PREVIEW if step == drafts.PREVIEW else "hall"
        data = answers
    else:
        data = {}
        for f in drafts.FIELDS[:drafts.FIELDS.index(step)]:
            data.update({k: answers[k] for k in drafts.FIELD_KEYS[f]})
    return EventDraft(admin_id=ADMIN_ID, kind=drafts.NEW, step=step, data=data, reviewing=reviewing)


async def enter_admin(state: str, tg: User, w: World, db, tz: str) -> dict:
    async with db.write() as session:
        for draft in (await session.execute(select(EventDraft))).scalars():
            await session.delete(draft)
        if state.startswith("wizard:"):
            session.add(canonical_draft(state.split(":", 1)[1], tz))
    if state.startswith("wizard:"):
        await tg.send("/addevent")  # resumes the draft: shows its question (or the preview)
        return tg.last()
    await tg.send("/myevents")
    if state == "events":
        return tg.last()
    state, _, which = state.partition("@")  # "@poster": on the event with the hostile title
    event_id = w.poster if which == "poster" else w.plain
    await tg.tap(data=f"adm:card:{event_id}")
    if state == "card":
        return tg.last()
    if state.startswith("edit:"):
        await tg.tap(data=f"adm:set:{event_id}:{state.split(':')[1]}")
    elif state.startswith("announce"):
        await tg.tap(data=f"adm:ann:{event_id}")
        if state == "announce_ok":  # written, waiting for Send
            await tg.send(("Doors open at 7pm, bring your ticket. " * 100)[:3400])
    return tg.last()


ADMIN_STATES = ([f"wizard:{f}" for f in drafts.FIELDS] + ["wizard:preview", "wizard:reviewing", "events", "card",
                                                           "edit:title", "edit:when", "edit:address", "edit:price", "edit:poster",
                                                           "announce", "card@poster", "edit:venue@poster",
                                                           "announce@poster", "announce_ok@poster"])


@pytest.mark.parametrize("state", ADMIN_STATES)
@FUZZ
@given(inputs=ADMIN_INPUTS)
async def test_admin_states(state, inputs, app, user, db, world, errors, settings):
    tz = settings.timezone
    admin = user(ADMIN_ID, "Olga")
    for item in inputs:
        errors.records.clear()
        screen = await enter_admin(state, admin, world, db, tz)
        assert not errors.records, errors.records
        fed = await feed(admin, item, world, db, errors, screen, tz)
        if fed.kind != "message" or not state.startswith(("wizard:", "edit:")):
            continue
        if fed.before == fed.after:  # a rejected answer is explained and the question asked again
            text = "\n".join(c.text for c in fed.replies)
            if state != "wizard:preview":
                assert "❗" in text, f"{item!r}: no explanation in {text[:500]!r}"
        else:  # an accepted one is recorded as the wizard's rules read it
            draft = _drafts(fed.before, ADMIN_ID).get("edit") or _drafts(fed.before, ADMIN_ID)["new"]
            if draft["kind"] == drafts.NEW:
                expected = drafts.read_answer(draft["step"], answer_from(fed.update.message), tz=tz)
                now = _drafts(fed.after, ADMIN_ID)["new"]
                assert now["data"] == {**draft["data"], **expected}, item


# --- hostile names ------------------------------------------------------------------------------------------

NAME = st.one_of(_HTMLISH.map(lambda s: s[:64] or "x"), st.text(st.characters(exclude_categories=("Cs",)),
                                                                  min_size=1, max_size=64))


@FUZZ
@given(profiles=st.lists(st.tuples(NAME, st.one_of(st.none(), NAME), st.one_of(st.none(), st.from_regex(
    r"[a-zA-Z][a-zA-Z0-9_]{4,31}", fullmatch=True))), min_size=1, max_size=4))
async def test_hostile_names_are_escaped_everywhere(profiles, app, user, db, world, errors, settings):
    """Names are the user's own text too: the welcome, the organiser's attendee list and CSV caption."""
    errors.records.clear()
    for i, (first, last, username) in enumerate(profiles):
        tg = user(3000 + i, first, "en", username=username, last_name=last)
        start = len(tg.api.calls)
        await tg.send("/start")
        await tg.tap(data=f"st:best:{world.plain}")
        confirm = [b["callback_data"] for b in tg.buttons() if b["callback_data"].startswith("bk:ok:")]
        if confirm:
            await tg.tap(data=confirm[0])
        for call in tg.api.calls[start:]:
            assert_sane(call)
    admin = user(ADMIN_ID, "Olga")
    start = len(admin.api.calls)
    await admin.send("/myevents")
    await admin.tap(data=f"adm:att:{world.plain}:0")
    await admin.tap(data=f"adm:csv:{world.plain}")
    for call in admin.api.calls[start:]:
        assert_sane(call)
    assert not errors.records, errors.records
