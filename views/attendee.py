"""What each screen says and which keyboard it carries: pure functions over query results."""
from __future__ import annotations

from dataclasses import dataclass

from views import keyboards
from views.buttons import ButtonData
from views.formatting import CAPTION_LIMIT, MESSAGE_LIMIT, cut, esc, money, venue_line, when, when_short
from views.screen import Screen, pages
from views.texts import t
from db.booking import BookingView, BookResult, CancelResult, Outcome
from db.events import ALL, BookingState, EventFilter, EventSummary, SeatState
from db.models import Event, Seat
from db.seatmaps import SeatMapKey

EVENTS_PER_PAGE = 5
BOOKINGS_PER_PAGE = 5
# What an event's card says under the description, by whether it can be booked.
CARD_NOTES = {BookingState.CANCELLED: "card.cancelled", BookingState.STARTED: "card.finished",
              BookingState.SOLD_OUT: "card.sold_out"}


def main_menu(lang: str, name: str) -> Screen:
    return Screen(t(lang, "start.welcome", name=esc(name)), keyboards.main_menu(lang))


def help_screen(lang: str, limit: int) -> Screen:
    return Screen(t(lang, "help", taken=keyboards.TAKEN_MARK, limit=limit), keyboards.main_menu(lang))


def language_menu(lang: str) -> Screen:
    return Screen(t(lang, "language.choose"), keyboards.languages())


def language_set(lang: str) -> Screen:
    """Said in the language just chosen."""
    return Screen(t(lang, "language.set"), keyboards.main_menu(lang))


def free_text(lang: str, summary: EventSummary) -> str:
    return t(lang, "free_short", free=summary.free_seats) if summary.free_seats else t(lang, "sold_out")


def list_entries(lang: str, summaries: list[EventSummary]) -> list[tuple[int, str]]:
    """(event ID, button text) per event: the text is a button's, plain text, so not escaped."""
    return [
        (s.event.id, t(lang, "events.entry", date=when_short(s.event.starts_at, s.event.timezone, lang),
                       title=s.event.title, free=free_text(lang, s)))
        for s in summaries
    ]


def filter_text(lang: str, event_filter: EventFilter) -> str:
    """"today · 🎵 Concert · free entry": the parts of the filter that are on."""
    parts = []
    if event_filter.when != ALL:
        parts.append(t(lang, f"filter.{event_filter.when}"))
    if event_filter.category != ALL:
        parts.append(t(lang, f"cat.{event_filter.category}"))
    if event_filter.free:
        parts.append(t(lang, "filter.free"))
    return " · ".join(parts)


def events_page(lang: str, summaries: list[EventSummary], page: int, count: int, notice: str = "",
                event_filter: EventFilter = EventFilter()) -> Screen:
    head = notice + "\n\n" if notice else ""
    if not count:
        text = (t(lang, "events.none_match", filter=filter_text(lang, event_filter)) if event_filter.narrowed
                else t(lang, "events.empty"))
        return Screen(head + text, keyboards.events_list(lang, [], 0, 1, event_filter))
    total_pages = pages(count, EVENTS_PER_PAGE)
    text = t(lang, "events.title", page=page + 1, pages=total_pages)
    if event_filter.narrowed:
        text += "\n" + t(lang, "events.filter", filter=filter_text(lang, event_filter))
    return Screen(head + text, keyboards.events_list(lang, list_entries(lang, summaries), page, total_pages, event_filter))


def category_picker(lang: str, event_filter: EventFilter) -> Screen:
    return Screen(t(lang, "events.pick_category"), keyboards.category_picker(lang, event_filter))


def search_results(lang: str, query: str, summaries: list[EventSummary], page: int, count: int) -> Screen:
    shown = esc(cut(query, 60))  # what the user typed, back to them: escaped
    if not count:
        return Screen(t(lang, "search.none", query=shown), keyboards.search_list(lang, [], 0, 1))
    total_pages = pages(count, EVENTS_PER_PAGE)
    return Screen(t(lang, "search.title", query=shown, count=count, page=page + 1, pages=total_pages),
                  keyboards.search_list(lang, list_entries(lang, summaries), page, total_pages))


def search_prompt(lang: str) -> Screen:
    return Screen(t(lang, "search.prompt"), keyboards.search_list(lang, [], 0, 1))


def card_text(lang: str, summary: EventSummary, limit: int) -> str:
    event = summary.event
    venue = venue_line(event)
    note = CARD_NOTES.get(summary.state)
    tail = "\n\n" + t(lang, note) if note else ""
    category = t(lang, "card.category", category=esc(event.category))
    title = event.title
    while True:
        head = t(lang, "card", title=esc(title), when=when(event.starts_at, event.timezone, lang),
                 venue=esc(venue), price=money(event.price_minor, event.currency, lang),
                 free=summary.free_seats, total=summary.total_seats, description="")
        # A long title and venue, once escaped ("&" is "&amp;"), can outgrow a caption on their own.
        if len(head) + len(tail) + len(category) + 2 <= limit or (len(title) <= 16 and len(venue) <= 16):
            break
        title, venue = cut(title, max(16, len(title) * 2 // 3)), cut(venue, max(16, len(venue) * 2 // 3))
    # The description is cut as plain text first, so the escape can't split an HTML entity.
    budget = limit - len(head) - len(tail) - len(category) - 2
    room = budget
    description = event.description.strip()
    while description and room > 10 and len(esc(cut(description, room))) > budget:
        room -= 16
    body = esc(cut(description, room)) if description and room > 10 else ""
    return (head + body).rstrip() + "\n\n" + category + tail


def event_card(lang: str, summary: EventSummary, page: int, poster: str | bytes | None,
               share_url: str | None, back: ButtonData | None = None) -> Screen:
    event = summary.event
    markup = keyboards.event_card(lang, event.id, page, summary.state is BookingState.OPEN, share_url, back)
    limit = CAPTION_LIMIT if poster is not None else MESSAGE_LIMIT
    return Screen(card_text(lang, summary, limit), markup, photo=poster, poster_id=event.poster_id)


def seat_map(lang: str, summary: EventSummary, seats: list[SeatState], row_part: int, col_part: int,
             notice: str = "", picture: HallPicture | None = None) -> Screen:
    """The hall: its picture (when there is one) with the seat keyboard and the prompt as its caption."""
    event = summary.event
    markup, part = keyboards.seat_map(lang, event.id, seats, row_part, col_part)
    text = t(lang, "seats.prompt", title=esc(event.title), when=when(event.starts_at, event.timezone, lang),
             taken=keyboards.TAKEN_MARK, free=summary.free_seats, total=summary.total_seats)
    if part.row_parts > 1 or part.col_parts > 1:
        text += "\n" + t(lang, "seats.part", rows=f"{part.first_row}–{part.last_row}",
                         seats=f"{part.first_seat}–{part.last_seat}")
    if notice:
        text = notice + "\n\n" + text
    return with_picture(Screen(text, markup, fits_caption=True), picture)


@dataclass(frozen=True)
class HallPicture:
    """The hall's picture to show: a file_id or PNG bytes, and its cache key if it is the common one."""

    photo: str | bytes
    key: SeatMapKey | None = None


def with_picture(screen: Screen, picture: HallPicture | None) -> Screen:
    if picture is not None:
        screen.photo, screen.seat_map = picture.photo, picture.key
    return screen


def confirm(lang: str, event: Event, seat: Seat, picture: HallPicture | None = None) -> Screen:
    venue = venue_line(event)
    text = t(lang, "confirm", title=esc(event.title), when=when(event.starts_at, event.timezone, lang),
             venue=esc(venue), seat=esc(seat.label), row=esc(seat.row_label), number=seat.number,
             price=money(event.price_minor, event.currency, lang))
    return with_picture(Screen(text, keyboards.confirm(lang, event.id, seat.id), fits_caption=True), picture)


def booked(lang: str, event: Event, seat: Seat, picture: HallPicture | None = None) -> Screen:
    venue = venue_line(event)
    text = t(lang, "booked", title=esc(event.title), when=when(event.starts_at, event.timezone, lang),
             venue=esc(venue), seat=esc(seat.label), price=money(event.price_minor, event.currency, lang))
    return with_picture(Screen(text, keyboards.after_booking(lang, event.id), fits_caption=True), picture)


def booking_outcome(lang: str, result: BookResult, confirming: bool, picture: HallPicture | None = None) -> Screen:
    """The seat to confirm, or (booked, or already the user's) the success; over the hall's picture."""
    if confirming and result.outcome is Outcome.BOOKED:
        return confirm(lang, result.event, result.seat, picture)
    return booked(lang, result.event, result.seat, picture)


def booking_alert(lang: str, result: BookResult) -> str | None:
    """The pop-up on ✅ Confirm: only a lost race needs one, the message says the rest."""
    return t(lang, "taken_alert", seat=result.seat.label) if result.outcome is Outcome.TAKEN else None


def sold_out(lang: str, event_id: int, notice_text: str = "") -> Screen:
    return notice(lang, (notice_text + "\n\n" if notice_text else "") + t(lang, "seats.none_free"), event_id)


def notice(lang: str, text: str, event_id: int) -> Screen:
    return Screen(text, keyboards.back_to_event(lang, event_id), fits_caption=True)


def my_bookings(lang: str, views: list[BookingView], page: int, count: int, notice: str = "") -> Screen:
    head = notice + "\n\n" if notice else ""
    limit = MESSAGE_LIMIT - len(head)
    if not count:
        return Screen(head + t(lang, "my.empty"), keyboards.my_bookings(lang, [], 0, 1))

    def listing(title_max: int, venue_max: int) -> str:
        blocks = [
            t(lang, "my.entry", title=esc(cut(v.event.title, title_max)),
              when=when(v.event.starts_at, v.event.timezone, lang),
              venue=esc(cut(v.event.venue_name, venue_max)), seat=esc(v.seat.label))
            for v in views
        ]
        return t(lang, "my.title", count=count) + "\n" + "\n\n".join(blocks)

    entries = [(v.booking.id, v.seat.label, v.event.title) for v in views]
    text = listing(1000, 1000)
    if len(text) > limit:  # long titles and venues, longer still once escaped: five must fit one message
        text = listing(40, 30)
    return Screen(head + text, keyboards.my_bookings(lang, entries, page, pages(count, BOOKINGS_PER_PAGE)))


# What the user is told after ❌ Cancel, by the rule's answer.
CANCEL_NOTICES = {Outcome.PAST: "cancel.past", Outcome.ALREADY_CANCELLED: "cancel.already"}


def cancel_notice(lang: str, result: CancelResult) -> str:
    if result.outcome is Outcome.CANCELLED:
        return t(lang, "cancel.done", seat=esc(result.seat.label), title=esc(result.event.title))
    # Someone else's booking ID reads exactly like a missing one.
    return t(lang, CANCEL_NOTICES.get(result.outcome, "cancel.not_found"))


def cancel_alert(lang: str, result: CancelResult) -> str | None:
    if result.outcome is Outcome.CANCELLED:
        return t(lang, "cancel.done_alert")
    return t(lang, "stale_alert") if result.outcome in (Outcome.NOT_FOUND, Outcome.NOT_YOURS) else None


def cancel_ask(lang: str, view: BookingView, page: int) -> Screen:
    text = t(lang, "cancel.ask", title=esc(view.event.title),
             when=when(view.event.starts_at, view.event.timezone, lang), seat=esc(view.seat.label))
    return Screen(text, keyboards.cancel_ask(lang, view.booking.id, page))
