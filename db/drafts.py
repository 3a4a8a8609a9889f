"""The /addevent wizard as data: what each answer must look like, which question comes next, and
publishing the finished draft. Free of Telegram: answers come in as plain values.

The draft is a row, not process memory, so a restart (or another bot process) carries on where the
admin was. Every function here runs inside the caller's unit of work and never commits.
"""
from __future__ import annotations

import enum
import html
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.money import CURRENCY_EXPONENT, parse_money
from db.events import CATEGORIES, create_event
from db.hall import HallError, describe, parse_hall
from db.models import Event, EventDraft, EventStatus, Poster, utcnow

NEW, EDIT = "new", "edit"
PREVIEW = "preview"
ANNOUNCE, ANNOUNCE_CONFIRM = "announce", "announce_ok"  # steps of an "edit" draft: a message to attendees

# The questions, in the order the wizard asks them; "poster" is answered by an upload (or skipped).
FIELDS = ("title", "description", "category", "when", "venue", "address", "hall", "price", "poster")
CURRENCIES = ("KZT", "RUB", "USD", "EUR")
DEFAULT_CURRENCY = "KZT"
_CURRENCY_WORDS = {"₸": "KZT", "ТГ": "KZT", "TG": "KZT", "ТЕНГЕ": "KZT", "₽": "RUB", "Р": "RUB", "РУБ": "RUB",
                   "$": "USD", "€": "EUR"}

TITLE_MAX = 200
DESCRIPTION_MAX = 3000
VENUE_MAX = 200
ADDRESS_MAX = 300
ANNOUNCE_MAX = 3500  # leaves room for the event's title in a 4096-character message
MAX_AHEAD = timedelta(days=3 * 366)

# The common ways people write a date and a time, after commas and a "T" became spaces.
DATE_FORMATS = (
    "%d.%m.%Y %H:%M", "%d.%m.%y %H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M",
    "%Y/%m/%d %H:%M", "%Y.%m.%d %H:%M", "%d.%m.%Y %H.%M", "%Y-%m-%d %H:%M:%S",
)

# Which draft keys each question fills; a question is answered when all its keys are there.
FIELD_KEYS = {
    "title": ("title",), "description": ("description",), "category": ("category",), "when": ("starts_at",),
    "venue": ("venue_name",), "address": ("venue_address",), "hall": ("hall",),
    "price": ("price_minor", "currency"), "poster": ("poster",),
}


class Invalid(ValueError):
    """The answer does not fit the question; `field` says which hint to show, `details` what the hint
    needs to say exactly what was wrong (the length of a text, the time that does not exist)."""

    def __init__(self, field: str, reason: str = "", details: Mapping[str, object] | None = None) -> None:
        super().__init__(f"{field}: {reason}" if reason else field)
        self.field = field
        self.reason = reason
        self.details = dict(details or {})


@dataclass(frozen=True)
class Location:
    """A location pin the admin shared."""

    latitude: float
    longitude: float

    def as_text(self) -> str:
        return f"{self.latitude:.5f}, {self.longitude:.5f}"


@dataclass(frozen=True)
class Venue:
    """A place the admin shared (Telegram's venue: a pin with a title and an address)."""

    title: str
    address: str
    latitude: float
    longitude: float


Answer = str | Location | Venue


# --- one answer at a time ---------------------------------------------------------------------------

# Characters that draw nothing: format controls (zero-width space, joiners, bidi overrides like U+202E),
# spaces and separators, control codes, and the blanks that Unicode files as letters or symbols (the
# Braille blank, the Hangul fillers). Combining marks draw only on a letter before them.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc", "Mn", "Me"})
BLANKS = frozenset("\u2800\u3164\u115f\u1160\uffa0")


def visible(text: str) -> bool:
    """Whether the text shows anything at all: a title of only U+200B looks like no title."""
    return any(ch not in BLANKS and unicodedata.category(ch) not in INVISIBLE_CATEGORIES for ch in text)


def _text(answer: Answer, field: str, limit: int) -> str:
    if not isinstance(answer, str):
        raise Invalid(field, "text expected")
    text = answer.replace("\x00", "").strip()  # PostgreSQL text can't hold NUL
    if not visible(text):
        raise Invalid(field, "empty")
    if len(text) > limit:
        raise Invalid(field, "too long")
    return text


def parse_when(text: str, tz: str, now: datetime | None = None) -> datetime:
    """'25.12.2026 19:00' or '2026-12-25 19:00', read in `tz`, as UTC; must be in the future."""
    now = now or utcnow()
    cleaned = re.sub(r"\s+", " ", text.strip().replace(",", " ").replace("T", " ")).strip()
    parts = cleaned.split(" ")
    if len(parts) == 2 and ":" in parts[0]:  # "19:00 25.12.2026"
        cleaned = f"{parts[1]} {parts[0]}"
    for fmt in DATE_FORMATS:
        try:
            naive = datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        starts = naive.replace(tzinfo=ZoneInfo(tz)).astimezone(ZoneInfo("UTC"))
        if starts.astimezone(ZoneInfo(tz)).replace(tzinfo=None) != naive:
            # The clocks jumped over this wall time (02:30 on a spring-forward night); zoneinfo would
            # quietly move it by an hour. An hour that happens twice is taken the first time.
            raise Invalid("when", "gap", {"local": naive, "zone": tz})
        if starts <= now:
            raise Invalid("when", "past")
        if starts - now > MAX_AHEAD:
            raise Invalid("when", "too far")
        return starts
    raise Invalid("when", "format")


def parse_price(text: str) -> tuple[int, str]:
    """'5000', '5 000 KZT', '12.50 USD', '0' -> (minor units, currency)."""
    cleaned = text.strip().upper()
    match = re.match(r"^([\d\s.,\u00a0]+?)\s*([A-ZА-Я₸₽$€.]*)$", cleaned)
    if not match:
        raise Invalid("price", "format")
    amount, word = match.group(1), match.group(2).rstrip(".")
    currency = _CURRENCY_WORDS.get(word, word) if word else DEFAULT_CURRENCY
    if currency not in CURRENCIES:
        raise Invalid("price", "currency")
    try:
        minor = parse_money(amount, currency)
    except ValueError:
        raise Invalid("price", "format") from None
    return minor, currency


def read_answer(field: str, answer: Answer, *, tz: str, now: datetime | None = None) -> dict:
    """Check one answer and return the draft keys it sets. Raises Invalid with what was expected."""
    if field == "title":
        return {"title": _text(answer, field, TITLE_MAX)}
    if field == "description":
        return {"description": _text(answer, field, DESCRIPTION_MAX)}
    if field == "category":
        value = _text(answer, field, 32).lower().lstrip("#")
        if value not in CATEGORIES:
            raise Invalid(field, "unknown")
        return {"category": value}
    if field == "when":
        return {"starts_at": parse_when(_text(answer, field, 64), tz, now).isoformat()}
    if isinstance(answer, Venue):
        # PostgreSQL text can't hold NUL; a forwarded venue can carry any title, so fall back on what shows.
        title, address = answer.title.replace("\x00", "").strip(), answer.address.replace("\x00", "").strip()
        address = address if visible(address) else Location(answer.latitude, answer.longitude).as_text()
        answer = Venue(title if visible(title) else address, address, answer.latitude, answer.longitude)
    if field == "venue":
        if isinstance(answer, Venue):  # a shared place answers the address too
            return {"venue_name": answer.title[:VENUE_MAX], "venue_address": answer.address[:ADDRESS_MAX]}
        return {"venue_name": _text(answer, field, VENUE_MAX)}
    if field == "address":
        if isinstance(answer, Venue):
            return {"venue_address": answer.address[:ADDRESS_MAX]}
        if isinstance(answer, Location):
            return {"venue_address": answer.as_text()}
        return {"venue_address": _text(answer, field, ADDRESS_MAX)}
    if field == "hall":
        try:
            return {"hall": describe(parse_hall(_text(answer, field, 1000)))}
        except HallError as exc:
            raise Invalid(field, f"{exc.key}:{exc.part}") from None
    if field == "price":
        minor, currency = parse_price(_text(answer, field, 64))
        return {"price_minor": minor, "currency": currency}
    raise Invalid(field, "not a text question")


def read_announcement(text_html: str | None) -> str:
    """An announcement as Telegram-safe HTML (the message's own formatting kept), or Invalid."""
    text_html = (text_html or "").replace("\x00", "").strip()  # PostgreSQL text can't hold NUL
    if not text_html:
        raise Invalid("announce", "text expected")
    # Telegram's HTML is tags around escaped text: drop the tags, unescape, and see what is left to read.
    if not visible(html.unescape(re.sub(r"<[^>]*>", "", text_html))):
        raise Invalid("announce", "empty")
    if len(text_html) > ANNOUNCE_MAX:  # counted with the markup: that is what must fit in the letter
        raise Invalid("announce", "too long", {"length": len(text_html)})
    return text_html


# --- the draft's state machine -------------------------------------------------------------------------

class Move(str, enum.Enum):
    """What the admin did: sent a message, or tapped one of the draft's buttons."""

    TEXT = "text"                # a message answering the question (or the announcement)
    POSTER = "poster"            # a picture answering the poster question
    SKIP_POSTER = "skip_poster"
    PUBLISH = "publish"
    EDIT = "edit"                # from the preview: which field to change?
    PICK_FIELD = "pick_field"    # ...this one
    PREVIEW = "preview"          # back to the preview
    DISCARD = "discard"
    SEND = "send"                # the announcement, confirmed


class Expect(str, enum.Enum):
    """What the admin's next message answers."""

    ANSWER = "answer"              # a text question (or a place, a pin)
    POSTER = "poster"
    ANNOUNCEMENT = "announcement"
    NOTHING = "nothing"            # the preview waits for a button


def _ready(draft: EventDraft) -> bool:
    return ready(draft)


def _always(draft: EventDraft) -> bool:
    return True


# Which moves each step takes, for both kinds of draft; a step not listed is a text question. A move
# not allowed here is an old button or a message out of turn: nothing changes, the step is shown again.
STEPS: dict[str, dict[Move, Callable[[EventDraft], bool]]] = {
    "poster": {Move.POSTER: _always, Move.SKIP_POSTER: _always},
    PREVIEW: {Move.PUBLISH: _ready, Move.EDIT: _ready},
    ANNOUNCE: {Move.TEXT: _always},
    ANNOUNCE_CONFIRM: {Move.TEXT: _always, Move.SEND: _always},
}
QUESTION: dict[Move, Callable[[EventDraft], bool]] = {Move.TEXT: _always}
# Moves of a /addevent draft at any step.
ANYWHERE: dict[Move, Callable[[EventDraft], bool]] = {
    Move.PREVIEW: _always, Move.DISCARD: _always, Move.PICK_FIELD: _ready, Move.PUBLISH: _ready,
    Move.EDIT: _ready,
}
# Where a move leads, when it is not simply "the next unanswered question".
NEXT_STEP = {(ANNOUNCE, Move.TEXT): ANNOUNCE_CONFIRM, (ANNOUNCE_CONFIRM, Move.TEXT): ANNOUNCE_CONFIRM}
EXPECTS = {"poster": Expect.POSTER, PREVIEW: Expect.NOTHING, ANNOUNCE: Expect.ANNOUNCEMENT,
           ANNOUNCE_CONFIRM: Expect.ANNOUNCEMENT}


def accepts(draft: EventDraft, move: Move) -> bool:
    rules = {**(ANYWHERE if draft.kind == NEW else {}), **STEPS.get(draft.step, QUESTION)}
    allowed = rules.get(move)
    return allowed is not None and allowed(draft)


def expects(draft: EventDraft) -> Expect:
    return EXPECTS.get(draft.step, Expect.ANSWER)


def advance(draft: EventDraft, move: Move) -> None:
    """Move an announcement draft on (the wizard's own steps follow FIELDS: see _moved)."""
    if not accepts(draft, move):
        raise Invalid(draft.step, "out of turn")
    draft.step = NEXT_STEP.get((draft.step, move), draft.step)
    draft.updated_at = utcnow()


class Tapped(str, enum.Enum):
    SHOW = "show"                  # show the draft where it now is
    CHOOSE_FIELD = "choose_field"
    PUBLISHED = "published"
    DISCARDED = "discarded"
    NO_DRAFT = "no_draft"


@dataclass(frozen=True)
class TapResult:
    outcome: Tapped
    event: Event | None = None
    problem: Invalid | None = None


async def tap(session: AsyncSession, draft: EventDraft | None, move: Move, *, tz: str, field: str | None = None,
              now: datetime | None = None) -> TapResult:
    """A button of the /addevent draft. One that no longer applies shows where the draft is."""
    if draft is None:
        return TapResult(Tapped.NO_DRAFT)
    # The admin is back at the /addevent draft: a field change they left open must not take the next answer.
    await session.execute(delete(EventDraft).where(EventDraft.admin_id == draft.admin_id, EventDraft.kind == EDIT))
    if not accepts(draft, move) or (move is Move.PICK_FIELD and field not in FIELDS):
        return TapResult(Tapped.SHOW)
    match move:
        case Move.SKIP_POSTER:
            await set_poster(session, draft, None)
        case Move.PUBLISH:
            try:
                return TapResult(Tapped.PUBLISHED, await publish(session, draft, tz, now))
            except Invalid as problem:  # the date went by while the preview waited
                return TapResult(Tapped.SHOW, problem=problem)
        case Move.EDIT:
            return TapResult(Tapped.CHOOSE_FIELD)
        case Move.PICK_FIELD:
            await jump(session, draft, field)
        case Move.PREVIEW:
            await back_to_preview(session, draft)
        case Move.DISCARD:
            await discard(session, draft)
            return TapResult(Tapped.DISCARDED)
    return TapResult(Tapped.SHOW)


# --- the draft row ------------------------------------------------------------------------------

async def get(session: AsyncSession, admin_id: int, kind: str) -> EventDraft | None:
    return await session.get(EventDraft, (admin_id, kind))


EDIT_EXPIRES = timedelta(minutes=15)


async def active(session: AsyncSession, admin_id: int) -> EventDraft | None:
    """What the admin's next message answers: a pending edit first, else the /addevent draft."""
    rows = (await session.execute(select(EventDraft).where(EventDraft.admin_id == admin_id))).scalars().all()
    by_kind = {d.kind: d for d in rows}
    edit = by_kind.get(EDIT)
    if edit is not None and edit.updated_at < utcnow() - EDIT_EXPIRES:
        # "Change the title" tapped and forgotten: a "thanks!" typed tomorrow is not the new title.
        edit = None
    return edit or by_kind.get(NEW)


async def start(session: AsyncSession, admin_id: int) -> tuple[EventDraft, bool]:
    """Open the admin's /addevent draft: (draft, True) when one was already under way."""
    await session.execute(delete(EventDraft).where(EventDraft.admin_id == admin_id, EventDraft.kind == EDIT))
    draft = await get(session, admin_id, NEW)
    if draft is not None:
        draft.updated_at = utcnow()
        return draft, True
    draft = EventDraft(admin_id=admin_id, kind=NEW, step=FIELDS[0], data={}, reviewing=False)
    session.add(draft)
    await session.flush()
    return draft, False


def answered(data: dict, field: str) -> bool:
    return all(key in data for key in FIELD_KEYS[field])


def _next_step(draft: EventDraft, after: str) -> str:
    if draft.reviewing:
        return PREVIEW
    for field in FIELDS[FIELDS.index(after) + 1:]:
        if not answered(draft.data, field):
            return field
    return PREVIEW


def _moved(draft: EventDraft, after: str) -> None:
    draft.step = _next_step(draft, after)
    if draft.step == PREVIEW:
        draft.reviewing = True
    draft.updated_at = utcnow()


async def answer(session: AsyncSession, draft: EventDraft, value: Answer, *, tz: str,
                 now: datetime | None = None) -> EventDraft:
    """Take the answer to the current question and move on; raises Invalid and stays put if it is wrong."""
    field = draft.step
    if field not in FIELDS or field == "poster":
        raise Invalid(field if field in FIELDS else "step", "not a text question")
    draft.data = {**draft.data, **read_answer(field, value, tz=tz, now=now)}  # a new dict: JSON change tracking
    _moved(draft, field)
    return draft


async def set_poster(session: AsyncSession, draft: EventDraft, poster: Poster | None) -> EventDraft:
    """The poster question answered with a processed picture, or None for "no poster"."""
    old = draft.poster_id
    if poster is not None:
        session.add(poster)
        await session.flush()
        draft.poster_id = poster.id
    else:
        draft.poster_id = None
    if old is not None and old != draft.poster_id:
        await drop_poster_if_unused(session, old, ignoring_draft=draft)
    draft.data = {**draft.data, "poster": draft.poster_id is not None}
    _moved(draft, "poster")
    return draft


async def jump(session: AsyncSession, draft: EventDraft, field: str) -> EventDraft:
    """Edit from the preview: ask this one question again, then come back to the preview."""
    if field not in FIELDS:
        raise Invalid("step", "unknown field")
    draft.step = field
    draft.updated_at = utcnow()
    return draft


async def back_to_preview(session: AsyncSession, draft: EventDraft) -> EventDraft:
    if all(answered(draft.data, f) for f in FIELDS):
        draft.step = PREVIEW
    return draft


async def discard(session: AsyncSession, draft: EventDraft) -> None:
    """Forget the draft and the poster it uploaded, so /cancel leaves nothing half-written."""
    poster_id = draft.poster_id if draft.kind == NEW else None
    await session.delete(draft)
    await session.flush()
    if poster_id is not None:
        await drop_poster_if_unused(session, poster_id)


async def drop_poster_if_unused(session: AsyncSession, poster_id: int,
                                ignoring_draft: EventDraft | None = None) -> None:
    """Delete a poster nothing points at any more (a replaced upload, a discarded draft)."""
    used_by_events = (await session.execute(
        select(func.count(Event.id)).where(Event.poster_id == poster_id))).scalar_one()
    other_drafts = select(func.count()).select_from(EventDraft).where(EventDraft.poster_id == poster_id)
    if ignoring_draft is not None:
        other_drafts = other_drafts.where((EventDraft.admin_id != ignoring_draft.admin_id)
                                          | (EventDraft.kind != ignoring_draft.kind))
    used_by_drafts = (await session.execute(other_drafts)).scalar_one()
    if not used_by_events and not used_by_drafts:
        await session.execute(delete(Poster).where(Poster.id == poster_id))


def preview(draft: EventDraft, tz: str) -> tuple[Event, int]:
    """The event as it will be published (not added to the session) and its number of seats."""
    data = draft.data
    rows = parse_hall(data["hall"])
    event = Event(
        id=0, title=data["title"], description=data["description"], category=data["category"],
        venue_name=data["venue_name"], venue_address=data["venue_address"],
        starts_at=datetime.fromisoformat(data["starts_at"]), timezone=tz, price_minor=data["price_minor"],
        currency=data["currency"], poster_id=draft.poster_id, status=EventStatus.PUBLISHED.value,
        created_by=draft.admin_id,
    )
    return event, sum(r.seats for r in rows)


def ready(draft: EventDraft) -> bool:
    return draft.kind == NEW and all(answered(draft.data, f) for f in FIELDS)


async def publish(session: AsyncSession, draft: EventDraft, tz: str, now: datetime | None = None) -> Event:
    """Turn the finished draft into a published event with its seats; the draft is gone after."""
    if not ready(draft):
        raise Invalid(draft.step, "unfinished")
    starts_at = datetime.fromisoformat(draft.data["starts_at"])
    if starts_at <= (now or utcnow()):  # the preview sat in the chat until the date went by
        draft.step = "when"
        raise Invalid("when", "past")
    data = draft.data
    event = await create_event(
        session, title=data["title"], description=data["description"], category=data["category"],
        venue_name=data["venue_name"], venue_address=data["venue_address"], starts_at=starts_at, timezone=tz,
        price_minor=data["price_minor"], currency=data["currency"], hall=parse_hall(data["hall"]),
        created_by=draft.admin_id,
    )
    event.poster_id = draft.poster_id
    await session.delete(draft)
    await session.flush()
    return event


assert set(CURRENCIES) <= set(CURRENCY_EXPONENT)
