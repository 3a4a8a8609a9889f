"""The shape of a hall: which rows it has and how many seats each row holds."""
from __future__ import annotations

import re
import string
from dataclasses import dataclass

MAX_ROWS = 60
MAX_SEATS_PER_ROW = 80
MAX_SEATS = 3000

_GRID = re.compile(r"^\s*(\d{1,3})\s*[xх×*]\s*(\d{1,3})\s*$", re.IGNORECASE)  # "10x12", Cyrillic "х" too
_ROW = re.compile(r"^([A-Za-zА-Яа-яЁё]{1,3}|\d{1,3})\s*[:=]\s*(\d{1,3})$")


class HallError(ValueError):
    """The text does not describe a hall we can build. `key` names the reason for the texts
    (hall.<key>); `part` is the piece of input that could not be read, if any."""

    def __init__(self, key: str, part: str = "") -> None:
        super().__init__(f"{key}: {part}" if part else key)
        self.key, self.part = key, part


@dataclass(frozen=True)
class Row:
    label: str
    seats: int


def row_label(index: int) -> str:
    """A, B, ..., Z, AA, AB, ... like spreadsheet columns."""
    letters = string.ascii_uppercase
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = letters[rest] + label
    return label


def grid(rows: int, seats: int) -> list[Row]:
    return _checked([Row(row_label(i), seats) for i in range(rows)])


def parse_hall(text: str) -> list[Row]:
    """Read "10x12" (10 rows of 12) or "A:10 B:12 C:14" (one length per row)."""
    text = (text or "").strip()
    match = _GRID.match(text)
    if match:
        return grid(int(match.group(1)), int(match.group(2)))
    parts = [p for p in re.split(r"[\s,;]+", text) if p]
    if not parts:
        raise HallError("empty")
    rows: list[Row] = []
    for part in parts:
        match = _ROW.match(part)
        if not match:  # quoted back to the organiser: a short piece, whatever they pasted
            raise HallError("unreadable", part if len(part) <= 20 else part[:19] + "…")
        rows.append(Row(match.group(1).upper(), int(match.group(2))))
    if len({r.label for r in rows}) != len(rows):
        raise HallError("repeated")
    labels = {f"{r.label}{n}" for r in rows for n in range(1, r.seats + 1)}
    if len(labels) != sum(r.seats for r in rows):  # rows "1" and "11": seat 11 of one is seat 1 of the other
        raise HallError("ambiguous")
    return _checked(rows)


def _checked(rows: list[Row]) -> list[Row]:
    if not rows or len(rows) > MAX_ROWS:
        raise HallError("rows")
    if any(r.seats < 1 or r.seats > MAX_SEATS_PER_ROW for r in rows):
        raise HallError("seats")
    if sum(r.seats for r in rows) > MAX_SEATS:
        raise HallError("total")
    return rows


def describe(rows: list[Row]) -> str:
    """The shortest text parse_hall reads back to the same hall."""
    if len({r.seats for r in rows}) == 1 and [r.label for r in rows] == [row_label(i) for i in range(len(rows))]:
        return f"{len(rows)}x{rows[0].seats}"
    return " ".join(f"{r.label}:{r.seats}" for r in rows)
