"""What the hall's picture shows: each seat's mark for this viewer, and the legend's words."""
from __future__ import annotations

from collections.abc import Collection

from images.seatmap import Legend, Row, SeatMark
from views.texts import t
from db.events import SeatState


def rows(seats: list[SeatState], mine: Collection[int] = (), picked: int | None = None) -> list[Row]:
    """The seats (in hall order) as the picture's rows; `mine` are the viewer's own, `picked` the
    one they are about to confirm."""
    by_row: dict[int, tuple[str, list[tuple[int, SeatMark]]]] = {}
    for seat in seats:
        if seat.id == picked:
            mark = SeatMark.PICKED
        elif seat.id in mine:
            mark = SeatMark.MINE
        else:
            mark = SeatMark.TAKEN if seat.taken else SeatMark.FREE
        by_row.setdefault(seat.row_index, (seat.row_label, []))[1].append((seat.number, mark))
    return [by_row[index] for index in sorted(by_row)]


def legend(lang: str) -> Legend:
    return Legend(stage=t(lang, "seats.map.stage"), free=t(lang, "seats.map.free"),
                  taken=t(lang, "seats.map.taken"), mine=t(lang, "seats.map.mine"),
                  picked=t(lang, "seats.map.picked"))
