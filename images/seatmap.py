"""The hall as a picture: the stage, the rows with their letters, each seat's number and state.

A pure function of what it is given (rows of seats with a state, the legend's words): no Telegram, no
database. The states differ in shape as well as colour, so the picture reads in grey and for the
colour-blind: a free seat is a hollow circle, a taken one a grey square with a cross, the user's own
a filled circle with a check, and the seat being picked a thick ring around its circle.

Telegram shows photos at most 1280 px on the long side and refuses a width + height over 10000 or a
side ratio over 20, so the seats shrink to fit 1280 px across; a 30 x 40 hall keeps 28 px a seat, the
largest hall we accept (60 x 80) 14 px.
"""
from __future__ import annotations

import enum
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

MAX_WIDTH = 1280
MAX_CELL = 44
MIN_CELL = 12
MIN_WIDTH = 480
MARGIN = 16

BACKGROUND = (255, 255, 255)
INK = (40, 40, 40)
FREE_OUTLINE = (46, 125, 50)
TAKEN_FILL = (150, 150, 150)
MINE_FILL = (21, 101, 192)
PICKED_RING = (239, 108, 0)
STAGE_FILL = (55, 71, 79)


class SeatMark(str, enum.Enum):
    FREE = "free"
    TAKEN = "taken"
    MINE = "mine"
    PICKED = "picked"


Row = tuple[str, Sequence[tuple[int, SeatMark]]]  # ("B", [(1, FREE), (2, TAKEN), ...])


@dataclass(frozen=True)
class Legend:
    """The words drawn on the picture, in the viewer's language."""

    stage: str
    free: str
    taken: str
    mine: str
    picked: str


@dataclass(frozen=True)
class Layout:
    """Where everything goes for a hall of `rows` rows and `columns` seats in the widest row."""

    rows: int
    columns: int
    cell: int
    label_width: int
    stage_height: int
    legend_height: int

    @property
    def hall_width(self) -> int:
        """The seats with the row letters either side."""
        return 2 * MARGIN + 2 * self.label_width + self.columns * self.cell

    @property
    def width(self) -> int:
        return max(self.hall_width, MIN_WIDTH)  # room for the legend under a narrow hall

    @property
    def offset(self) -> int:
        """How far the hall is moved right to stand in the middle of a picture wider than it."""
        return (self.width - self.hall_width) // 2

    @property
    def grid_top(self) -> int:
        return MARGIN + self.stage_height + self.number_height

    @property
    def number_height(self) -> int:
        return self.cell  # the seat numbers above the first row

    @property
    def height(self) -> int:
        return self.grid_top + self.rows * self.cell + self.number_height + self.legend_height + MARGIN

    def seat_box(self, row_index: int, number: int) -> tuple[int, int, int, int]:
        """The pixel box (left, top, right, bottom) of a seat: `row_index` counts rows from the
        stage, from 0; `number` is the seat's number in its row, from 1."""
        left = self.offset + MARGIN + self.label_width + (number - 1) * self.cell
        top = self.grid_top + row_index * self.cell
        return left, top, left + self.cell, top + self.cell


def layout(rows: Sequence[Row]) -> Layout:
    columns = max((number for _, seats in rows for number, _ in seats), default=1)
    label_width = 44
    cell = (MAX_WIDTH - 2 * MARGIN - 2 * label_width) // columns
    cell = max(MIN_CELL, min(MAX_CELL, cell))
    return Layout(rows=max(1, len(rows)), columns=columns, cell=cell, label_width=label_width,
                  stage_height=56, legend_height=88)


def seat_box(rows: Sequence[Row], row_label: str, number: int) -> tuple[int, int, int, int]:
    """The pixel box of seat `row_label``number` in the picture render() draws for these rows."""
    index = next(i for i, (label, _) in enumerate(rows) if label == row_label)
    return layout(rows).seat_box(index, number)


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # DejaVu has Cyrillic (and Kazakh) letters; Pillow's own font is the fallback where it is missing.
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def render(rows: Sequence[Row], legend: Legend, image_format: str = "PNG") -> bytes:
    """The picture of the hall, as PNG (flat colours: small and exact) or JPEG bytes."""
    plan = layout(rows)
    width = plan.width
    picture = Image.new("RGB", (width, plan.height), BACKGROUND)
    draw = ImageDraw.Draw(picture)
    offset = plan.offset
    small = _font(max(9, plan.cell * 4 // 10))

    # The stage across the top, over the seats.
    stage = (offset + MARGIN + plan.label_width, MARGIN,
             offset + plan.hall_width - MARGIN - plan.label_width, MARGIN + plan.stage_height - 16)
    draw.rounded_rectangle(stage, radius=8, fill=STAGE_FILL)
    draw.text(((stage[0] + stage[2]) / 2, (stage[1] + stage[3]) / 2), legend.stage, fill=BACKGROUND,
              font=_font(22), anchor="mm")

    # Seat numbers above the first row and below the last.
    bottom = plan.grid_top + plan.rows * plan.cell
    for number in range(1, plan.columns + 1):
        left, _, right, _ = plan.seat_box(0, number)
        x = (left + right) / 2
        if plan.cell >= 22 or number % 5 == 0 or number == 1:  # small seats: every fifth number
            draw.text((x, plan.grid_top - plan.cell / 2), str(number), fill=INK, font=small, anchor="mm")
            draw.text((x, bottom + plan.cell / 2), str(number), fill=INK, font=small, anchor="mm")

    label_font = _font(max(10, min(20, plan.cell * 6 // 10)))
    for index, (label, seats) in enumerate(rows):
        _, top, _, bottom_edge = plan.seat_box(index, 1)
        y = (top + bottom_edge) / 2
        draw.text((offset + MARGIN + plan.label_width / 2, y), label, fill=INK, font=label_font, anchor="mm")
        draw.text((offset + plan.hall_width - MARGIN - plan.label_width / 2, y), label, fill=INK, font=label_font,
                  anchor="mm")
        for number, mark in seats:
            left, top, right, bottom_edge = plan.seat_box(index, number)
            _seat(draw, (left, top, right, bottom_edge), mark)

    _legend(draw, legend, width, plan.height - MARGIN - plan.legend_height + 16)
    out = io.BytesIO()
    if image_format.upper() == "JPEG":
        picture.save(out, "JPEG", quality=90)
    else:
        picture.save(out, "PNG", optimize=True)
    return out.getvalue()


def _seat(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], mark: SeatMark) -> None:
    left, top, right, bottom = box
    size = right - left
    pad = max(2, size // 7)
    inner = (left + pad, top + pad, right - pad, bottom - pad)
    line = max(2, size // 12)
    if mark is SeatMark.TAKEN:
        draw.rectangle(inner, fill=TAKEN_FILL)
        draw.line((inner[0] + line, inner[1] + line, inner[2] - line, inner[3] - line), fill=BACKGROUND, width=line)
        draw.line((inner[0] + line, inner[3] - line, inner[2] - line, inner[1] + line), fill=BACKGROUND, width=line)
        return
    if mark is SeatMark.MINE:
        draw.ellipse(inner, fill=MINE_FILL)
        _check(draw, inner, line)
        return
    draw.ellipse(inner, outline=FREE_OUTLINE, width=line, fill=BACKGROUND)
    if mark is SeatMark.PICKED:
        # A thick ring in the whole cell around the free seat's circle: the one being picked.
        draw.ellipse((left, top, right - 1, bottom - 1), outline=PICKED_RING, width=max(3, pad))


def _check(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], line: int) -> None:
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    points = [(left + w * 0.25, top + h * 0.52), (left + w * 0.43, top + h * 0.70), (left + w * 0.75, top + h * 0.32)]
    draw.line(points, fill=BACKGROUND, width=line + 1, joint="curve")


def _legend(draw: ImageDraw.ImageDraw, legend: Legend, width: int, top: int) -> None:
    """Each state's mark and its word, in one line under the hall (two if the words are long)."""
    font = _font(18)
    size = 28
    entries = [(SeatMark.FREE, legend.free), (SeatMark.TAKEN, legend.taken), (SeatMark.MINE, legend.mine),
               (SeatMark.PICKED, legend.picked)]
    widths = [size + 8 + int(draw.textlength(text, font=font)) + 24 for _, text in entries]
    lines = [entries] if sum(widths) <= width - 2 * MARGIN else [entries[:2], entries[2:]]
    for line_index, line in enumerate(lines):
        line_widths = [size + 8 + int(draw.textlength(text, font=font)) + 24 for _, text in line]
        x = max(MARGIN, (width - sum(line_widths)) // 2)
        y = top + line_index * (size + 6)
        for (mark, text), entry_width in zip(line, line_widths):
            _seat(draw, (x, y, x + size, y + size), mark)
            draw.text((x + size + 8, y + size / 2), text, fill=INK, font=font, anchor="lm")
            x += entry_width
