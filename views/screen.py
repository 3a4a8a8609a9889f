"""A screen: what one message says and carries, ready for the handlers to send or edit in place."""
from __future__ import annotations

import math
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from db.seatmaps import SeatMapKey


@dataclass
class Screen:
    text: str
    markup: InlineKeyboardMarkup | None = None
    # A poster to show: a Telegram file_id (str) or JPEG bytes; poster_id lets us remember the file_id.
    photo: str | bytes | None = None
    poster_id: int | None = None
    # This text may stand as the caption of the event's poster message (seat map, confirmation...).
    fits_caption: bool = False
    # The photo is this cached hall picture: its file_id is remembered once Telegram has it.
    seat_map: SeatMapKey | None = None


def pages(count: int, per_page: int) -> int:
    return max(1, math.ceil(count / per_page))


def with_notice(notice: str, text: str) -> str:
    """A notice ("Saved.", "That seat was just taken") above a screen's own text."""
    return f"{notice}\n\n{text}" if notice else text
