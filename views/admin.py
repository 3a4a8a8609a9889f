"""The organiser's screens and keyboards: the /addevent questions, the preview, /myevents, an event's
admin card, attendees, and the messages attendees get. Pure functions, data in, Screen out."""
from __future__ import annotations

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup

from views import buttons as callbacks
from views import keyboards
from views.buttons import pack
from views.formatting import CAPTION_LIMIT, MESSAGE_LIMIT, cut, esc, venue_line, when, when_short
from views.texts import CATALOGS, t
from views.attendee import card_text
from views.screen import Screen, pages
from db import drafts, hall
from images import posters
from db.events import EventSummary, is_open
from db.manage import Attendee, Recipient
from db.models import Event, EventStatus

EVENTS_PER_PAGE = 8
ATTENDEES_PER_PAGE = 25
NAME_LIMIT = 40

# Every admin button, in the shared codec; all stay far under Telegram's 64 bytes.
for _action, _args in {
    "new": (), "cat": ("index",), "skip": (), "pub": (), "edit": (), "field": ("index",), "prev": (),
    "drop": (), "list": ("page",), "card": ("event_id",), "chg": ("event_id",), "set": ("event_id", "index"),
    "cask": ("event_id",), "cok": ("event_id",), "dask": ("event_id",), "dok": ("event_id",),
    "att": ("event_id", "page"), "csv": ("event_id",), "ann": ("event_id",), "send": ("event_id",),
}.items():
    callbacks.register("adm", _action, *_args)

WIZARD_ACTIONS = ("new", "cat", "skip", "pub", "edit", "field", "prev", "drop")


# --- the wizard --------------------------------------------------------------------------------------

def ask_text(lang: str, field: str, tz: str) -> str:
    values: dict[str, object] = {}
    if field == "category":
        values = {"categories": ", ".join(drafts.CATEGORIES)}
    elif field == "when":
        values = {"zone": esc(tz)}
    elif field == "hall":
        values = {"rows": hall.MAX_ROWS, "seats": hall.MAX_SEATS_PER_ROW, "total": hall.MAX_SEATS}
    elif field == "price":
        values = {"currencies": ", ".join(drafts.CURRENCIES)}
    elif field == "poster":
        values = {"min_side": posters.MIN_SIDE}
    return t(lang, f"adm.ask.{field}", **values)


def problem_text(lang: str, field: str, reason: str = "") -> str:
    """What was expected, for a wrong answer to `field` (reason: the rule's or Pillow's word for why)."""
    limits = {"title": drafts.TITLE_MAX, "description": drafts.DESCRIPTION_MAX, "venue": drafts.VENUE_MAX,
              "address": drafts.ADDRESS_MAX}
    if field == "when" and reason in ("past", "too far"):
        return t(lang, "adm.bad.when_past" if reason == "past" else "adm.bad.when_far")
    if field == "price" and reason == "currency":
        return t(lang, "adm.bad.price_currency", currencies=", ".join(drafts.CURRENCIES))
    if field == "hall":
        if reason == "booked":
            return t(lang, "adm.bad.hall_booked")
        key, _, part = reason.partition(":")
        why = t(lang, f"hall.{key}", part=esc(part), rows=hall.MAX_ROWS, seats=hall.MAX_SEATS_PER_ROW,
                total=hall.MAX_SEATS) if f"hall.{key}" in CATALOGS["en"] else esc(reason)
        return t(lang, "adm.bad.hall", reason=why)
    if field == "poster" and reason in ("too_big", "not_image", "too_many_pixels", "too_small", "bad_shape"):
        return t(lang, f"adm.bad.poster_{reason}", megapixels=posters.MAX_PIXELS // 1_000_000,
                 min_side=posters.MIN_SIDE)
    if field in limits:
        return t(lang, f"adm.bad.{field}", limit=limits[field])
    return t(lang, f"adm.bad.{field}") if field in drafts.FIELDS or field == "announce" else t(lang, "adm.bad.poster")


def category_buttons(lang: str) -> list[list[Button]]:
    buttons = [Button(t(lang, f"cat.{c}"), callback_data=pack("adm", "cat", i))
               for i, c in enumerate(drafts.CATEGORIES)]
    return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]


def question(lang: str, field: str, tz: str, *, reviewing: bool = False, notice: str = "",
             event_title: str | None = None) -> Screen:
    """One wizard question with its example; `event_title` when a published event is being changed."""
    if event_title is not None:
        head = t(lang, "adm.edit.ask", title=esc(event_title), field=t(lang, f"adm.field.{field}"))
    else:
        head = t(lang, "adm.step", n=drafts.FIELDS.index(field) + 1, total=len(drafts.FIELDS))
    tail = t(lang, "adm.cancel_hint")
    text = "\n\n".join(p for p in (notice, head + "\n" + ask_text(lang, field, tz), tail) if p)
    rows: list[list[Button]] = []
    if field == "category":
        rows += category_buttons(lang)
    if field == "poster" and event_title is None:
        rows.append([Button(t(lang, "adm.btn.skip_poster"), callback_data=pack("adm", "skip"))])
    if reviewing and event_title is None:
        rows.append([Button(t(lang, "btn.back"), callback_data=pack("adm", "prev"))])
    return Screen(text, Markup(rows) if rows else None)


def preview(lang: str, event: Event, total_seats: int, poster: str | bytes | None) -> Screen:
    """The card exactly as attendees will see it, with Publish, Edit and Discard."""
    summary = EventSummary(event, total_seats, 0)
    text = card_text(lang, summary, CAPTION_LIMIT if poster is not None else MESSAGE_LIMIT)
    markup = Markup([
        [Button(t(lang, "adm.btn.publish"), callback_data=pack("adm", "pub"))],
        [Button(t(lang, "adm.btn.edit"), callback_data=pack("adm", "edit")),
         Button(t(lang, "adm.btn.discard"), callback_data=pack("adm", "drop"))],
    ])
    return Screen(text, markup, photo=poster, poster_id=event.poster_id)


def field_buttons(lang: str, data_for) -> list[list[Button]]:
    buttons = [Button(t(lang, f"adm.field.{f}"), callback_data=data_for(i)) for i, f in enumerate(drafts.FIELDS)]
    return [buttons[i:i + 3] for i in range(0, len(buttons), 3)]


def choose_draft_field(lang: str) -> Screen:
    rows = field_buttons(lang, lambda i: pack("adm", "field", i))
    rows.append([Button(t(lang, "btn.back"), callback_data=pack("adm", "prev"))])
    return Screen(t(lang, "adm.edit.choose"), Markup(rows), fits_caption=True)


def published(lang: str, event: Event, link: str) -> Screen:
    return Screen(t(lang, "adm.published", title=esc(event.title), link=esc(link)),
                  Markup([[Button(t(lang, "adm.btn.card"), callback_data=pack("adm", "card", event.id)),
                           Button(t(lang, "adm.btn.list"), callback_data=pack("adm", "list", 0))]]))


# --- managing events -----------------------------------------------------------------------------------

def events_page(lang: str, summaries: list[EventSummary], page: int, count: int) -> Screen:
    new = [Button(t(lang, "adm.btn.new"), callback_data=pack("adm", "new"))]
    if not count:
        return Screen(t(lang, "adm.list.empty"), Markup([new]))
    total_pages = pages(count, EVENTS_PER_PAGE)
    rows = []
    for s in summaries:
        mark = "❌ " if s.event.status == EventStatus.CANCELLED.value else ("⏱ " if not is_open(s.event) else "")
        label = t(lang, "adm.list.entry", mark=mark, date=when_short(s.event.starts_at, s.event.timezone, lang),
                  title=s.event.title, sold=s.taken_seats, total=s.total_seats)
        rows.append([Button(cut(label, keyboards.BUTTON_TEXT), callback_data=pack("adm", "card", s.event.id))])
    nav = keyboards.pager(lang, "adm", page, total_pages)
    if nav:
        rows.append(nav)
    rows.append(new)
    return Screen(t(lang, "adm.list.title", count=count, page=page + 1, pages=total_pages), Markup(rows))


def admin_card(lang: str, summary: EventSummary, bookings_ever: int, notice: str = "") -> Screen:
    event = summary.event
    lines = [t(lang, "adm.card.stats", sold=summary.taken_seats, total=summary.total_seats)]
    cancelled = event.status == EventStatus.CANCELLED.value
    if cancelled:
        lines.append(t(lang, "adm.card.cancelled"))
    elif not is_open(event):
        lines.append(t(lang, "adm.card.past"))
    tail = "\n\n" + "\n".join(lines)
    head = (notice + "\n\n") if notice else ""
    body = card_text(lang, summary, MESSAGE_LIMIT - len(tail) - len(head))
    e = event.id
    rows = []
    if not cancelled:
        rows.append([Button(t(lang, "adm.btn.change"), callback_data=pack("adm", "chg", e))])
    rows.append([Button(t(lang, "adm.btn.attendees"), callback_data=pack("adm", "att", e, 0)),
                 Button(t(lang, "adm.btn.csv"), callback_data=pack("adm", "csv", e))])
    if not cancelled and summary.taken_seats:
        rows.append([Button(t(lang, "adm.btn.announce"), callback_data=pack("adm", "ann", e))])
    danger = []
    if not cancelled and is_open(event):
        danger.append(Button(t(lang, "adm.btn.cancel_event"), callback_data=pack("adm", "cask", e)))
    if not bookings_ever:
        danger.append(Button(t(lang, "adm.btn.delete"), callback_data=pack("adm", "dask", e)))
    if danger:
        rows.append(danger)
    rows.append([Button(t(lang, "adm.btn.list"), callback_data=pack("adm", "list", 0))])
    return Screen(head + body + tail, Markup(rows))


def choose_event_field(lang: str, event: Event) -> Screen:
    rows = field_buttons(lang, lambda i: pack("adm", "set", event.id, i))
    rows.append([Button(t(lang, "adm.btn.card"), callback_data=pack("adm", "card", event.id))])
    return Screen(t(lang, "adm.edit.ask", title=esc(event.title), field=t(lang, "adm.edit.choose")), Markup(rows))


def confirm(lang: str, text: str, yes_label: str, yes_data: str, event_id: int) -> Screen:
    return Screen(text, Markup([[Button(yes_label, callback_data=yes_data)],
                                [Button(t(lang, "adm.btn.no"), callback_data=pack("adm", "card", event_id))]]))


def cancel_ask(lang: str, event: Event, active_bookings: int) -> Screen:
    text = t(lang, "adm.cancel_event.ask", title=esc(event.title), when=when(event.starts_at, event.timezone, lang),
             count=active_bookings)
    return confirm(lang, text, t(lang, "adm.btn.yes_cancel"), pack("adm", "cok", event.id), event.id)


def delete_ask(lang: str, event: Event) -> Screen:
    return confirm(lang, t(lang, "adm.delete.ask", title=esc(event.title)), t(lang, "adm.btn.yes_delete"),
                   pack("adm", "dok", event.id), event.id)


def attendees_page(lang: str, event: Event, rows: list[Attendee], page: int, count: int) -> Screen:
    """One page of the attendee list; always under Telegram's 4096 characters, however long the names."""
    back = [Button(t(lang, "adm.btn.card"), callback_data=pack("adm", "card", event.id))]
    title = esc(cut(event.title, 80))
    if not count:
        return Screen(t(lang, "adm.att.empty", title=title), Markup([back]))
    total_pages = pages(count, ATTENDEES_PER_PAGE)
    text = t(lang, "adm.att.title", title=title, count=count, page=page + 1, pages=total_pages) + "\n"
    for a in rows:
        line = "\n" + t(lang, "adm.att.entry", seat=esc(a.seat), name=esc(cut(a.name, NAME_LIMIT)),
                        username=f" @{esc(a.username)}" if a.username else "", user_id=a.user_id)
        if len(text) + len(line) > MESSAGE_LIMIT - 2:
            text += "\n…"
            break
        text += line
    nav = []
    if page > 0:
        nav.append(Button(t(lang, "btn.prev"), callback_data=pack("adm", "att", event.id, page - 1)))
    if total_pages > 1:
        nav.append(Button(f"{page + 1}/{total_pages}", callback_data=pack("st", "noop")))
    if page < total_pages - 1:
        nav.append(Button(t(lang, "btn.next"), callback_data=pack("adm", "att", event.id, page + 1)))
    return Screen(text, Markup([nav, back] if nav else [back]))


def announcement_ask(lang: str, event: Event, count: int) -> Screen:
    return Screen(t(lang, "adm.ann.ask", title=esc(event.title), count=count))


def _with_announcement(lang: str, key: str, event: Event, text_html: str, **values) -> str:
    """An announcement under the event's title; a long title (longer once escaped) is shortened to fit."""
    for title_max in (len(event.title), 80, 20):
        text = t(lang, key, title=esc(cut(event.title, title_max)), text=text_html, **values)
        if len(text) <= MESSAGE_LIMIT:
            break
    return text


def announcement_confirm(lang: str, event: Event, count: int, text_html: str) -> Screen:
    text = _with_announcement(lang, "adm.ann.confirm", event, text_html, count=count)
    return confirm(lang, text, t(lang, "adm.btn.send"), pack("adm", "send", event.id), event.id)


# --- what attendees receive ------------------------------------------------------------------------------

def _seats(recipient: Recipient) -> str:
    return ", ".join(recipient.seats)


def cancelled_letter(recipient: Recipient, event: Event) -> str:
    lang = recipient.language
    return t(lang, "notify.cancelled", title=esc(event.title), when=when(event.starts_at, event.timezone, lang),
             seats=esc(_seats(recipient)))


def changed_letter(recipient: Recipient, event: Event) -> str:
    lang = recipient.language
    venue = venue_line(event)
    return t(lang, "notify.changed", title=esc(event.title), when=when(event.starts_at, event.timezone, lang),
             venue=esc(venue), seats=esc(_seats(recipient)))


def announcement_letter(recipient: Recipient, event: Event, text_html: str) -> str:
    return _with_announcement(recipient.language, "notify.announcement", event, text_html)
