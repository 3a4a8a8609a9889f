"""The callback-data codec: the one place that packs and parses button data.

Data looks like "<domain>:<action>:<int>:<int>...". Every button carries all its tap needs, so it
still works after a restart or on another bot process; the handler re-checks it against the
database. Telegram caps callback data at 64 bytes.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64
MAX_INT = 2**53  # IDs we hand out stay far below; anything larger is forged
# Arguments naming rows of tables with 32-bit integer keys (PostgreSQL INTEGER): larger is forged,
# and would fail in the database ("value out of int32 range") instead of reading as "not found".
ROW_IDS = frozenset({"event_id", "seat_id", "booking_id"})
MAX_ROW_ID = 2**31 - 1


class StaleButton(ValueError):
    """The data is not something this bot would have sent (forged, malformed or from an old version)."""


# (domain, action) -> names of the integer arguments, in order.
SCHEMA: dict[tuple[str, str], tuple[str, ...]] = {
    ("menu", "main"): (),
    ("menu", "help"): (),
    ("lang", "menu"): (),
    ("ev", "list"): ("page",),
    ("ev", "card"): ("event_id", "page"),
    ("st", "map"): ("event_id", "row_part", "col_part"),
    ("st", "pick"): ("event_id", "seat_id"),
    ("st", "best"): ("event_id",),
    ("st", "taken"): ("event_id",),
    ("st", "noop"): (),
    ("bk", "ok"): ("event_id", "seat_id"),
    ("my", "list"): ("page",),
    ("my", "ask"): ("booking_id", "page"),
    ("my", "cancel"): ("booking_id", "page"),
    ("lang", "set"): ("code",),
}


@dataclass(frozen=True)
class Callback:
    domain: str
    action: str
    args: dict[str, int]

    def __getattr__(self, name: str) -> int:
        try:
            return self.args[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def key(self) -> str:
        return f"{self.domain}:{self.action}"


def register(domain: str, action: str, *arg_names: str) -> None:
    """Let another journey (admin, payments...) add its buttons to the same codec."""
    if (domain, action) in SCHEMA and SCHEMA[(domain, action)] != arg_names:
        raise ValueError(f"{domain}:{action} is already registered with other arguments")
    SCHEMA[(domain, action)] = arg_names


def pack(domain: str, action: str, *args: int) -> str:
    names = SCHEMA.get((domain, action))
    if names is None:
        raise ValueError(f"unknown callback {domain}:{action}")
    if len(args) != len(names):
        raise ValueError(f"{domain}:{action} takes {len(names)} arguments, got {len(args)}")
    data = ":".join([domain, action, *(str(int(a)) for a in args)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def parse(data: str | None) -> Callback:
    if not data or len(data.encode("utf-8", "ignore")) > MAX_BYTES:
        raise StaleButton(data)
    parts = data.split(":")
    if len(parts) < 2:
        raise StaleButton(data)
    domain, action, raw = parts[0], parts[1], parts[2:]
    names = SCHEMA.get((domain, action))
    if names is None or len(raw) != len(names):
        raise StaleButton(data)
    values: dict[str, int] = {}
    for name, text in zip(names, raw):
        if not text.isdigit() or not text.isascii() or len(text) > 16:
            raise StaleButton(data)
        value = int(text)
        if value > MAX_INT or (name in ROW_IDS and value > MAX_ROW_ID):
            raise StaleButton(data)
        values[name] = value
    return Callback(domain, action, values)


def pattern(domain: str, action: str | None = None) -> str:
    """A regex for CallbackQueryHandler that routes one domain (or one action) to a handler."""
    return rf"^{domain}:{action}(:|$)" if action else rf"^{domain}:"
