"""Inline keyboards: pure functions, data in, InlineKeyboardMarkup out."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup

from views.buttons import (
    AskCancelBooking,
    BestSeat,
    ButtonData,
    CancelBooking,
    ConfirmBooking,
    EventCard,
    EventCategories,
    EventsPage,
    HelpMenu,
    LanguageMenu,
    LanguagePick,
    MainMenu,
    MyBookingsPage,
    Noop,
    SearchCard,
    SearchPage,
    SeatMap,
    SeatPick,
    TakenSeat,
)
from views.formatting import cut
from views.texts import LANGUAGE_NAMES, LANGUAGES, t
from db.events import ALL, CATEGORIES, EventFilter, SeatState

# Telegram shows at most 8 buttons in a row and about 100 in a keyboard.
MAX_PER_ROW = 8
MAX_BUTTONS = 100
SEATS_PER_PART = MAX_PER_ROW - 1  # one button of each keyboard row is the hall row's label
BLANK = "\u2800"  # Telegram refuses empty button text; a Braille blank looks empty
ROWS_PER_PART = 10
TAKEN_MARK = "·"
BUTTON_TEXT = 60


def main_menu(lang: str) -> Markup:
    return Markup([
        [Button(t(lang, "btn.events"), callback_data=EventsPage(0).pack())],
        [Button(t(lang, "btn.mybookings"), callback_data=MyBookingsPage(0).pack())],
        [Button(t(lang, "btn.help"), callback_data=HelpMenu().pack()),
         Button(t(lang, "btn.language"), callback_data=LanguageMenu().pack())],
    ])


def languages() -> Markup:
    return Markup([[Button(LANGUAGE_NAMES[code], callback_data=LanguagePick(code).pack()) for code in LANGUAGES]])


def pager(lang: str, page: int, pages: int, to_page: Callable[[int], ButtonData]) -> list[Button]:
    """◀ 2/5 ▶ under a paged list; `to_page(n)` is the button that opens page n."""
    row = []
    if page > 0:
        row.append(Button(t(lang, "btn.prev"), callback_data=to_page(page - 1).pack()))
    if pages > 1:
        row.append(Button(f"{page + 1}/{pages}", callback_data=Noop().pack()))
    if page < pages - 1:
        row.append(Button(t(lang, "btn.next"), callback_data=to_page(page + 1).pack()))
    return row


def events_page_button(page: int, event_filter: EventFilter) -> EventsPage:
    return EventsPage(page, event_filter.when, event_filter.category, event_filter.free)


def filter_rows(lang: str, event_filter: EventFilter) -> list[list[Button]]:
    """Today / Weekend / This week / category / Free: each tap changes one part of the filter (a
    second tap on the one that is on turns it off) and starts again from the first page."""
    f = event_filter

    def toggle(label_key: str, on: bool, changed: EventFilter) -> Button:
        label = t(lang, label_key)
        return Button(t(lang, "btn.f.on", label=label) if on else label,
                      callback_data=events_page_button(0, changed).pack())

    when_row = [toggle(f"btn.f.{when}", f.when == when, EventFilter(ALL if f.when == when else when, f.category, f.free))
                for when in ("today", "weekend", "week")]
    category = t(lang, "cat.all" if f.category == ALL else f"cat.{f.category}")
    second = [Button(t(lang, "btn.f.category", category=category), callback_data=EventCategories(f.when, f.free).pack()),
              toggle("btn.f.free", f.free, EventFilter(f.when, f.category, not f.free))]
    return [when_row, second]


def events_list(lang: str, entries: list[tuple[int, str]], page: int, pages: int,
                event_filter: EventFilter = EventFilter()) -> Markup:
    f = event_filter
    rows = [[Button(cut(text, BUTTON_TEXT), callback_data=EventCard(event_id, page, f.when, f.category, f.free).pack())]
            for event_id, text in entries]
    nav = pager(lang, page, pages, lambda n: events_page_button(n, f))
    if nav:
        rows.append(nav)
    rows.extend(filter_rows(lang, f))
    last = [Button(t(lang, "btn.menu"), callback_data=MainMenu().pack())]
    if f.narrowed:
        last.insert(0, Button(t(lang, "btn.all_events"), callback_data=EventsPage().pack()))
    rows.append(last)
    return Markup(rows)


def category_picker(lang: str, event_filter: EventFilter) -> Markup:
    f = event_filter
    choices = [Button(t(lang, f"cat.{c}"), callback_data=events_page_button(0, EventFilter(f.when, c, f.free)).pack())
               for c in CATEGORIES]
    rows = [choices[i:i + 2] for i in range(0, len(choices), 2)]
    rows.append([Button(t(lang, "cat.all"), callback_data=events_page_button(0, EventFilter(f.when, ALL, f.free)).pack())])
    return Markup(rows)


def search_list(lang: str, entries: list[tuple[int, str]], page: int, pages: int) -> Markup:
    rows = [[Button(cut(text, BUTTON_TEXT), callback_data=SearchCard(event_id, page).pack())]
            for event_id, text in entries]
    nav = pager(lang, page, pages, SearchPage)
    if nav:
        rows.append(nav)
    rows.append([Button(t(lang, "btn.all_events"), callback_data=EventsPage().pack()),
                 Button(t(lang, "btn.menu"), callback_data=MainMenu().pack())])
    return Markup(rows)


def event_card(lang: str, event_id: int, page: int, bookable: bool, share_url: str | None,
               back: ButtonData | None = None) -> Markup:
    """`back` is where ◀ Back goes (a filtered /events page, a page of search results); by default
    page `page` of all events."""
    rows = []
    if bookable:
        rows.append([Button(t(lang, "btn.book"), callback_data=SeatMap(event_id, 0, 0).pack())])
    last = [Button(t(lang, "btn.back"), callback_data=(back or EventsPage(page)).pack())]
    if share_url:
        last.append(Button(t(lang, "btn.share"), url=share_url))
    rows.append(last)
    return Markup(rows)


@dataclass(frozen=True)
class HallPart:
    row_part: int
    col_part: int
    row_parts: int
    col_parts: int
    first_row: str
    last_row: str
    first_seat: int
    last_seat: int


def hall_parts(seats: list[SeatState]) -> tuple[int, int, int]:
    """(row parts, column parts, seats per part) for a hall; narrow halls need no padding."""
    rows = len({s.row_index for s in seats})
    widest = max((s.number for s in seats), default=1)
    col_parts = math.ceil(widest / SEATS_PER_PART)
    width = math.ceil(widest / col_parts)  # 12 seats: two parts of 6, not 7 + 5 and blanks
    return max(1, math.ceil(rows / ROWS_PER_PART)), col_parts, width


def part_near(seats: list[SeatState], seat_id: int) -> tuple[int, int]:
    """The part of the hall around a seat (where someone who just lost it will look next), or the
    first part with a free seat when none is left around it."""
    _, _, width = hall_parts(seats)
    row_index = {r: i for i, r in enumerate(sorted({s.row_index for s in seats}))}

    def part(seat: SeatState) -> tuple[int, int]:
        return row_index[seat.row_index] // ROWS_PER_PART, (seat.number - 1) // width

    wanted = next((part(s) for s in seats if s.id == seat_id), (0, 0))
    free_parts = [part(s) for s in seats if not s.taken]
    if not free_parts or wanted in free_parts:
        return wanted
    return min(free_parts)


def seat_map(lang: str, event_id: int, seats: list[SeatState], row_part: int, col_part: int,
             back_page: int = 0) -> tuple[Markup, HallPart]:
    """One part of the hall: up to ROWS_PER_PART rows by SEATS_PER_PART seats, with arrows to the rest."""
    row_parts, col_parts, width = hall_parts(seats)
    row_part = min(max(row_part, 0), row_parts - 1)
    col_part = min(max(col_part, 0), col_parts - 1)
    by_row: dict[int, list[SeatState]] = {}
    for seat in seats:
        by_row.setdefault(seat.row_index, []).append(seat)
    row_indexes = sorted(by_row)[row_part * ROWS_PER_PART:(row_part + 1) * ROWS_PER_PART]
    lo, hi = col_part * width + 1, (col_part + 1) * width
    widest = max((s.number for s in seats), default=1)
    noop = Noop().pack()
    taken = TakenSeat(event_id).pack()

    keyboard: list[list[Button]] = []
    for index in row_indexes:
        row_seats = {s.number: s for s in by_row[index]}
        line = [Button(by_row[index][0].row_label, callback_data=noop)]
        for number in range(lo, hi + 1):
            seat = row_seats.get(number)
            if seat is None:
                line.append(Button(BLANK, callback_data=noop))
            elif seat.taken:
                line.append(Button(TAKEN_MARK, callback_data=taken))
            else:
                line.append(Button(str(number), callback_data=SeatPick(event_id, seat.id).pack()))
        keyboard.append(line)

    nav: list[Button] = []
    if row_part > 0:
        nav.append(Button(t(lang, "btn.up", rows=_rows_span(by_row, row_part - 1)),
                          callback_data=SeatMap(event_id, row_part - 1, col_part).pack()))
    if col_part > 0:
        nav.append(Button(t(lang, "btn.left", seats=_seat_span(col_part - 1, width, widest)),
                          callback_data=SeatMap(event_id, row_part, col_part - 1).pack()))
    if col_part < col_parts - 1:
        nav.append(Button(t(lang, "btn.right", seats=_seat_span(col_part + 1, width, widest)),
                          callback_data=SeatMap(event_id, row_part, col_part + 1).pack()))
    if row_part < row_parts - 1:
        nav.append(Button(t(lang, "btn.down", rows=_rows_span(by_row, row_part + 1)),
                          callback_data=SeatMap(event_id, row_part + 1, col_part).pack()))
    if nav:
        keyboard.append(nav)
    keyboard.append([
        Button(t(lang, "btn.best"), callback_data=BestSeat(event_id).pack()),
        Button(t(lang, "btn.back"), callback_data=EventCard(event_id, back_page).pack()),
    ])
    part = HallPart(row_part, col_part, row_parts, col_parts,
                    by_row[row_indexes[0]][0].row_label if row_indexes else "",
                    by_row[row_indexes[-1]][0].row_label if row_indexes else "", lo, min(hi, widest))
    return Markup(keyboard), part


def _rows_span(by_row: dict[int, list[SeatState]], row_part: int) -> str:
    indexes = sorted(by_row)[row_part * ROWS_PER_PART:(row_part + 1) * ROWS_PER_PART]
    return f"{by_row[indexes[0]][0].row_label}–{by_row[indexes[-1]][0].row_label}"


def _seat_span(col_part: int, width: int, widest: int) -> str:
    # The last part may be padded with blanks (9 seats: 1–5 and 6–9); name only real seats.
    return f"{col_part * width + 1}–{min((col_part + 1) * width, widest)}"


def confirm(lang: str, event_id: int, seat_id: int) -> Markup:
    return Markup([
        [Button(t(lang, "btn.confirm"), callback_data=ConfirmBooking(event_id, seat_id).pack())],
        [Button(t(lang, "btn.other_seat"), callback_data=SeatMap(event_id, 0, 0).pack())],
    ])


def after_booking(lang: str, event_id: int) -> Markup:
    return Markup([
        [Button(t(lang, "btn.book_more"), callback_data=SeatMap(event_id, 0, 0).pack())],
        [Button(t(lang, "btn.mybookings"), callback_data=MyBookingsPage(0).pack()),
         Button(t(lang, "btn.events"), callback_data=EventsPage(0).pack())],
    ])


def back_to_event(lang: str, event_id: int) -> Markup:
    return Markup([[Button(t(lang, "btn.back"), callback_data=EventCard(event_id, 0).pack())],
                   [Button(t(lang, "btn.events"), callback_data=EventsPage(0).pack())]])


def my_bookings(lang: str, entries: list[tuple[int, str, str]], page: int, pages: int) -> Markup:
    rows = [[Button(cut(t(lang, "btn.cancel_booking", seat=seat, title=title), BUTTON_TEXT),
                    callback_data=AskCancelBooking(booking_id, page).pack())]
            for booking_id, seat, title in entries]
    nav = pager(lang, page, pages, MyBookingsPage)
    if nav:
        rows.append(nav)
    rows.append([Button(t(lang, "btn.events"), callback_data=EventsPage(0).pack()),
                 Button(t(lang, "btn.menu"), callback_data=MainMenu().pack())])
    return Markup(rows)


def cancel_ask(lang: str, booking_id: int, page: int) -> Markup:
    return Markup([[Button(t(lang, "btn.cancel_yes"), callback_data=CancelBooking(booking_id, page).pack()),
                    Button(t(lang, "btn.cancel_no"), callback_data=MyBookingsPage(page).pack())]])
