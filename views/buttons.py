"""Button data: one small frozen type per kind of button, packed and parsed here and nowhere else.

On the wire a button is "<domain>:<action>:<value>:<value>...", e.g. "st:pick:12:345". Every button
carries all its tap needs, so it still works after a restart, an upgrade or on another bot process;
the handler checks it again against the database. Telegram caps callback data at 64 bytes, so a
button that would not fit fails when it is built, never in a user's chat.

    SeatPick(event_id=12, seat_id=345).pack()   -> "st:pick:12:345"
    SeatPick.parse("st:pick:12:345")             -> SeatPick(event_id=12, seat_id=345)
    parse("zz:top")                              -> raises StaleButton

handlers/registry.py routes each type to its handler with `CallbackQueryHandler(pattern=Type.matches)`.
"""
from __future__ import annotations

import dataclasses
import inspect
import re
from dataclasses import dataclass
from typing import ClassVar, TypeVar

MAX_BYTES = 64
MAX_INT = 2**53  # IDs and pages we hand out stay far below; anything larger is forged
# Fields naming rows of tables with 32-bit integer keys (PostgreSQL INTEGER): larger is forged, and
# would fail in the database ("value out of int32 range") instead of reading as "not found".
MAX_ROW_ID = 2**31 - 1
# A page that a button must keep short to fit beside other fields (EventCard: the event, the page
# and the filter to go back to): 100,000 pages of five is half a million events.
MAX_PAGE = 99_999
WORD = re.compile(r"[a-z][a-z_]{0,15}")  # the only text a button carries: a code like "en" or "title"


class StaleButton(ValueError):
    """The data is not something this bot would have sent (forged, malformed or from an old version)."""


B = TypeVar("B", bound="ButtonData")
_TYPES: dict[str, type[ButtonData]] = {}


@dataclass(frozen=True)
class ButtonData:
    """Base of every button type. Fields are ints (IDs, pages, parts), flags (bool, packed as 0 or 1)
    or short lowercase words. Fields with defaults may be left off the end of the data: a button
    made before they existed still parses, to the defaults."""

    prefix: ClassVar[str]
    # Lower ceilings than the usual for some int fields of a type ({"page": MAX_PAGE}), to make room.
    ceilings: ClassVar[dict[str, int]] = {}

    def __init_subclass__(cls, prefix: str = "", **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if prefix.count(":") != 1 or prefix in _TYPES:
            raise TypeError(f"{cls.__name__}: prefix must be a new 'domain:action', got {prefix!r}")
        # The longest data this type can ever pack to, from its fields' bounds: a type that could
        # outgrow Telegram's 64 bytes is refused when it is declared, not found in a user's chat.
        longest = len(prefix) + sum(1 + _widest(cls, name, kind) for name, kind in inspect.get_annotations(cls).items()
                                    if name not in ("prefix", "ceilings"))
        if longest > MAX_BYTES:
            raise TypeError(f"{cls.__name__} could pack to {longest} bytes, over Telegram's {MAX_BYTES}")
        cls.prefix = prefix
        _TYPES[prefix] = cls

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not _valid(type(self), field, value):
                raise ValueError(f"{type(self).__name__}.{field.name} = {value!r} can't be carried by a button")
        if len(self.pack().encode()) > MAX_BYTES:
            raise ValueError(f"{self!r} packs to over {MAX_BYTES} bytes")

    def pack(self) -> str:
        return ":".join([self.prefix, *(_packed(getattr(self, f.name)) for f in dataclasses.fields(self))])

    @classmethod
    def parse(cls: type[B], data: str | None) -> B:
        """The button of this type the data names; StaleButton for anything else."""
        button = parse(data)
        if not isinstance(button, cls):
            raise StaleButton(data)
        return button

    @classmethod
    def matches(cls, data: object) -> bool:
        """The routing test for CallbackQueryHandler(pattern=...): is this meant for this type?"""
        return isinstance(data, str) and (data == cls.prefix or data.startswith(cls.prefix + ":"))


def ceiling(button_type: type[ButtonData], name: str) -> int:
    """The largest value int field `name` of this type carries."""
    return button_type.ceilings.get(name, MAX_ROW_ID if name.endswith("_id") else MAX_INT)


def _widest(button_type: type[ButtonData], name: str, kind: object) -> int:
    if kind in (bool, "bool"):
        return 1
    if kind not in (int, "int"):
        return 16  # WORD
    return len(str(ceiling(button_type, name)))


def _is_int(field: dataclasses.Field) -> bool:
    return field.type in (int, "int")


def _is_flag(field: dataclasses.Field) -> bool:
    return field.type in (bool, "bool")


def _packed(value: object) -> str:
    return str(int(value)) if isinstance(value, bool) else str(value)


def _valid(button_type: type[ButtonData], field: dataclasses.Field, value: object) -> bool:
    if _is_flag(field):
        return isinstance(value, bool)
    if _is_int(field):
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= ceiling(button_type, field.name)
    return isinstance(value, str) and WORD.fullmatch(value) is not None


def parse(data: str | None) -> ButtonData:
    """Any button this bot makes; StaleButton for anything else."""
    if not data or len(data.encode("utf-8", "ignore")) > MAX_BYTES:
        raise StaleButton(data)
    parts = data.split(":")
    button_type = _TYPES.get(":".join(parts[:2]))
    if button_type is None:
        raise StaleButton(data)
    fields, raw = dataclasses.fields(button_type), parts[2:]
    required = sum(1 for f in fields if f.default is dataclasses.MISSING)
    if not required <= len(raw) <= len(fields):
        raise StaleButton(data)
    values = {}
    for field, text in zip(fields, raw):
        if _is_flag(field):
            if text not in ("0", "1"):
                raise StaleButton(data)
            values[field.name] = text == "1"
        elif _is_int(field):
            # "²" and "١" are digits to str.isdigit(); only ASCII digits are ours.
            # ...and only as we write them: no leading zeros, so each button has one spelling.
            if not (text.isascii() and text.isdigit() and len(text) <= 16) or (len(text) > 1 and text[0] == "0"):
                raise StaleButton(data)
            values[field.name] = int(text)
        else:
            values[field.name] = text
    try:
        return button_type(**values)
    except ValueError:
        raise StaleButton(data) from None


# --- the attendee's buttons ------------------------------------------------------------------------

@dataclass(frozen=True)
class MainMenu(ButtonData, prefix="menu:main"):
    pass


@dataclass(frozen=True)
class HelpMenu(ButtonData, prefix="menu:help"):
    pass


@dataclass(frozen=True)
class LanguageMenu(ButtonData, prefix="lang:menu"):
    pass


@dataclass(frozen=True)
class LanguagePick(ButtonData, prefix="lang:set"):
    code: str


@dataclass(frozen=True)
class EventsPage(ButtonData, prefix="ev:list"):
    """A page of /events under a filter (db.events.EventFilter: when, category, free only)."""

    page: int = 0
    when: str = "all"
    category: str = "all"
    free: bool = False


@dataclass(frozen=True)
class EventCard(ButtonData, prefix="ev:card"):
    ceilings = {"page": MAX_PAGE}  # room for the filter

    event_id: int
    page: int  # the /events page to go back to, under the filter below
    when: str = "all"
    category: str = "all"
    free: bool = False


@dataclass(frozen=True)
class EventCategories(ButtonData, prefix="ev:cats"):
    """The category picker of /events; the rest of the filter is kept."""

    when: str
    free: bool


@dataclass(frozen=True)
class SearchPage(ButtonData, prefix="sr:page"):
    """A page of the user's last search (the query itself is stored per user, db/search.py)."""

    page: int


@dataclass(frozen=True)
class SearchCard(ButtonData, prefix="sr:card"):
    """An event opened from search results; its Back returns to that page of them."""

    event_id: int
    page: int


@dataclass(frozen=True)
class SeatMap(ButtonData, prefix="st:map"):
    """One part of the hall (big halls are shown in parts of at most 10 rows by 7 seats)."""

    event_id: int
    row_part: int
    col_part: int


@dataclass(frozen=True)
class SeatPick(ButtonData, prefix="st:pick"):
    event_id: int
    seat_id: int


@dataclass(frozen=True)
class BestSeat(ButtonData, prefix="st:best"):
    event_id: int


@dataclass(frozen=True)
class TakenSeat(ButtonData, prefix="st:taken"):
    event_id: int


@dataclass(frozen=True)
class Noop(ButtonData, prefix="st:noop"):
    """A label in a keyboard (a row letter, a page number): tapping it does nothing."""


@dataclass(frozen=True)
class ConfirmBooking(ButtonData, prefix="bk:ok"):
    event_id: int
    seat_id: int


@dataclass(frozen=True)
class MyBookingsPage(ButtonData, prefix="my:list"):
    page: int


@dataclass(frozen=True)
class AskCancelBooking(ButtonData, prefix="my:ask"):
    booking_id: int
    page: int


@dataclass(frozen=True)
class CancelBooking(ButtonData, prefix="my:cancel"):
    booking_id: int
    page: int


# --- settings: language, one's own data ------------------------------------------------------------

@dataclass(frozen=True)
class SettingsMenu(ButtonData, prefix="set:menu"):
    pass


@dataclass(frozen=True)
class MyData(ButtonData, prefix="set:data"):
    pass


@dataclass(frozen=True)
class AskForget(ButtonData, prefix="set:ask"):
    pass


@dataclass(frozen=True)
class Forget(ButtonData, prefix="set:forget"):
    """The confirmed "forget me": erases the tapping user's data (it carries no ID: only they can)."""


# --- the organiser's buttons: the /addevent draft ----------------------------------------------------

@dataclass(frozen=True)
class NewEvent(ButtonData, prefix="adm:new"):
    pass


@dataclass(frozen=True)
class PickCategory(ButtonData, prefix="adm:cat"):
    category: str


@dataclass(frozen=True)
class SkipPoster(ButtonData, prefix="adm:skip"):
    pass


@dataclass(frozen=True)
class PublishDraft(ButtonData, prefix="adm:pub"):
    pass


@dataclass(frozen=True)
class EditDraft(ButtonData, prefix="adm:edit"):
    pass


@dataclass(frozen=True)
class EditDraftField(ButtonData, prefix="adm:field"):
    field: str


@dataclass(frozen=True)
class BackToPreview(ButtonData, prefix="adm:prev"):
    pass


@dataclass(frozen=True)
class DiscardDraft(ButtonData, prefix="adm:drop"):
    pass


# --- the organiser's buttons: published events ----------------------------------------------------------

@dataclass(frozen=True)
class AdminEventsPage(ButtonData, prefix="adm:list"):
    page: int


@dataclass(frozen=True)
class AdminCard(ButtonData, prefix="adm:card"):
    event_id: int


@dataclass(frozen=True)
class ChooseEventField(ButtonData, prefix="adm:chg"):
    event_id: int


@dataclass(frozen=True)
class ChangeEventField(ButtonData, prefix="adm:set"):
    event_id: int
    field: str


@dataclass(frozen=True)
class AskCancelEvent(ButtonData, prefix="adm:cask"):
    event_id: int


@dataclass(frozen=True)
class CancelEvent(ButtonData, prefix="adm:cok"):
    event_id: int


@dataclass(frozen=True)
class AskDeleteEvent(ButtonData, prefix="adm:dask"):
    event_id: int


@dataclass(frozen=True)
class DeleteEvent(ButtonData, prefix="adm:dok"):
    event_id: int


@dataclass(frozen=True)
class AttendeesPage(ButtonData, prefix="adm:att"):
    event_id: int
    page: int


@dataclass(frozen=True)
class AttendeesCsv(ButtonData, prefix="adm:csv"):
    event_id: int


@dataclass(frozen=True)
class StartAnnouncement(ButtonData, prefix="adm:ann"):
    event_id: int


@dataclass(frozen=True)
class SendAnnouncement(ButtonData, prefix="adm:send"):
    event_id: int


def all_types() -> tuple[type[ButtonData], ...]:
    return tuple(_TYPES.values())
