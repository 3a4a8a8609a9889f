"""The organiser's screens and keyboards: the /addevent questions, the preview, /myevents, an event's
admin card, attendees, and the messages attendees get. Pure functions, data in, Screen out."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup

from views import keyboards
from views.buttons import (
    AdminCard,
    AdminEventsPage,
    AskCancelEvent,
    AskDeleteEvent,
    AttendeesCsv,
    AttendeesPage,
    BackToPreview,
    CancelEvent,
    ChangeEventField,
    ChooseEventField,
    DeleteEvent,
    DiscardDraft,
    EditDraft,
    EditDraftField,
    NewEvent,
    PickCategory,
    PublishDraft,
    SendAnnouncement,
    SkipPoster,
    StartAnnouncement,
)
from views.formatting import CAPTION_LIMIT, MESSAGE_LIMIT, cut, esc, venue_line, when, when_short
from views.texts import CATALOGS, t
from views.attendee import card_text
from views.screen import Screen, pages, with_notice
from db import drafts, hall
from images import posters
from db.events import BookingState, EventSummary
from db.manage import AdminAction, Attendee, CancelEventResult, EditResult, ManagedEvent, Outcome, Recipient
from db.models import Event

EVENTS_PER_PAGE = 8
LIST_MARKS = {BookingState.CANCELLED: "❌ ", BookingState.STARTED: "⏱ "}
ADMIN_NOTES = {BookingState.CANCELLED: "adm.card.cancelled", BookingState.STARTED: "adm.card.past"}
ATTENDEES_PER_PAGE = 25
NAME_LIMIT = 40

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


def problem_text(lang: str, field: str, reason: str = "", details: Mapping[str, object] | None = None) -> str:
    """What was expected, for a wrong answer to `field` (reason: the rule's or Pillow's word for why;
    details: what the rule measured, for hints that name it)."""
    details = details or {}
    limits = {"title": drafts.TITLE_MAX, "description": drafts.DESCRIPTION_MAX, "venue": drafts.VENUE_MAX,
              "address": drafts.ADDRESS_MAX}
    if field == "when" and reason in ("past", "too far"):
        return t(lang, "adm.bad.when_past" if reason == "past" else "adm.bad.when_far")
    if field == "when" and reason == "gap" and isinstance(details.get("local"), datetime):
        local = details["local"]
        return t(lang, "adm.bad.when_gap", time=local.strftime("%H:%M"), day=local.day,
                 month=t(lang, "months").split(",")[local.month - 1], year=local.year, zone=esc(details["zone"]))
    if field == "price" and reason == "currency":
        return t(lang, "adm.bad.price_currency", currencies=", ".join(drafts.CURRENCIES))
    if field == "hall":
        if reason == "booked":
            return t(lang, "adm.bad.hall_booked")
        key, _, part = reason.partition(":")
        why = t(lang, f"hall.{key}", part=esc(part), rows=hall.MAX_ROWS, seats=hall.MAX_SEATS_PER_ROW,
                total=hall.MAX_SEATS) if f"hall.{key}" in CATALOGS["en"] else esc(reason)
        return t(lang, "adm.bad.hall", reason=why)
    if field == "poster" and reason == "too_big_to_open" and details:
        return t(lang, "adm.bad.poster_too_big_to_open", width=details["width"], height=details["height"],
                 needed=details["needed_mb"], limit=posters.MAX_DECODED_BYTES // 1_000_000,
                 megapixels=details["max_megapixels"])
    if field == "poster" and reason in ("too_big", "not_image", "too_many_pixels", "too_small", "bad_shape"):
        return t(lang, f"adm.bad.poster_{reason}", megapixels=posters.MAX_PIXELS // 1_000_000,
                 min_side=posters.MIN_SIDE)
    if field == "announce" and reason == "too long":
        return t(lang, "adm.bad.announce_long", limit=drafts.ANNOUNCE_MAX, length=details.get("length", "?"))
    if field in limits:
        if reason == "empty":  # only invisible characters: "up to 200 characters" would not say what is wrong
            return t(lang, "adm.bad.invisible", field=t(lang, f"adm.field.{field}"))
        return t(lang, f"adm.bad.{field}", limit=limits[field])
    return t(lang, f"adm.bad.{field}") if field in drafts.FIELDS or field == "announce" else t(lang, "adm.bad.poster")


def category_buttons(lang: str) -> list[list[Button]]:
    buttons = [Button(t(lang, f"cat.{c}"), callback_data=PickCategory(c).pack()) for c in drafts.CATEGORIES]
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
        rows.append([Button(t(lang, "adm.btn.skip_poster"), callback_data=SkipPoster().pack())])
    if reviewing and event_title is None:
        rows.append([Button(t(lang, "btn.back"), callback_data=BackToPreview().pack())])
    return Screen(text, Markup(rows) if rows else None)


def preview(lang: str, event: Event, total_seats: int, poster: str | bytes | None) -> Screen:
    """The card exactly as attendees will see it, with Publish, Edit and Discard."""
    summary = EventSummary(event, total_seats, 0)
    text = card_text(lang, summary, CAPTION_LIMIT if poster is not None else MESSAGE_LIMIT)
    markup = Markup([
        [Button(t(lang, "adm.btn.publish"), callback_data=PublishDraft().pack())],
        [Button(t(lang, "adm.btn.edit"), callback_data=EditDraft().pack()),
         Button(t(lang, "adm.btn.discard"), callback_data=DiscardDraft().pack())],
    ])
    return Screen(text, markup, photo=poster, poster_id=event.poster_id)


def field_buttons(lang: str, data_for) -> list[list[Button]]:
    buttons = [Button(t(lang, f"adm.field.{f}"), callback_data=data_for(f).pack()) for f in drafts.FIELDS]
    return [buttons[i:i + 3] for i in range(0, len(buttons), 3)]


def choose_draft_field(lang: str) -> Screen:
    rows = field_buttons(lang, EditDraftField)
    rows.append([Button(t(lang, "btn.back"), callback_data=BackToPreview().pack())])
    return Screen(t(lang, "adm.edit.choose"), Markup(rows), fits_caption=True)


def cancelled_text(lang: str, kind: str | None) -> str:
    """After /cancel: what was dropped (an /addevent draft, a field change), or that nothing was under way."""
    return t(lang, {drafts.NEW: "adm.cancelled", drafts.EDIT: "adm.edit_cancelled"}.get(kind, "adm.nothing_to_cancel"))


def published(lang: str, event: Event, link: str | None) -> Screen:
    return Screen(t(lang, "adm.published", title=esc(event.title), link=esc(link or "")),
                  Markup([[Button(t(lang, "adm.btn.card"), callback_data=AdminCard(event.id).pack()),
                           Button(t(lang, "adm.btn.list"), callback_data=AdminEventsPage(0).pack())]]))


# --- managing events -----------------------------------------------------------------------------------

def event_gone(lang: str) -> Screen:
    return Screen(t(lang, "adm.not_found"), Markup([[Button(t(lang, "adm.btn.new"), callback_data=NewEvent().pack())]]))


def events_page(lang: str, summaries: list[EventSummary], page: int, count: int, notice: str = "") -> Screen:
    new = [Button(t(lang, "adm.btn.new"), callback_data=NewEvent().pack())]
    if not count:
        return Screen(with_notice(notice, t(lang, "adm.list.empty")), Markup([new]))
    total_pages = pages(count, EVENTS_PER_PAGE)
    rows = []
    for s in summaries:
        mark = LIST_MARKS.get(s.state, "")
        label = t(lang, "adm.list.entry", mark=mark, date=when_short(s.event.starts_at, s.event.timezone, lang),
                  title=s.event.title, sold=s.taken_seats, total=s.total_seats)
        rows.append([Button(cut(label, keyboards.BUTTON_TEXT), callback_data=AdminCard(s.event.id).pack())])
    nav = keyboards.pager(lang, page, total_pages, AdminEventsPage)
    if nav:
        rows.append(nav)
    rows.append(new)
    return Screen(with_notice(notice, t(lang, "adm.list.title", count=count, page=page + 1, pages=total_pages)),
                  Markup(rows))


def admin_card(lang: str, managed: ManagedEvent, notice: str = "") -> Screen:
    summary, actions, e = managed.summary, managed.actions, managed.event.id
    lines = [t(lang, "adm.card.stats", sold=summary.taken_seats, total=summary.total_seats)]
    note = ADMIN_NOTES.get(summary.state)
    if note:
        lines.append(t(lang, note))
    tail = "\n\n" + "\n".join(lines)
    head = (notice + "\n\n") if notice else ""
    body = card_text(lang, summary, MESSAGE_LIMIT - len(tail) - len(head))
    rows = []
    if AdminAction.CHANGE in actions:
        rows.append([Button(t(lang, "adm.btn.change"), callback_data=ChooseEventField(e).pack())])
    rows.append([Button(t(lang, "adm.btn.attendees"), callback_data=AttendeesPage(e, 0).pack()),
                 Button(t(lang, "adm.btn.csv"), callback_data=AttendeesCsv(e).pack())])
    if AdminAction.ANNOUNCE in actions:
        rows.append([Button(t(lang, "adm.btn.announce"), callback_data=StartAnnouncement(e).pack())])
    danger = []
    if AdminAction.CANCEL in actions:
        danger.append(Button(t(lang, "adm.btn.cancel_event"), callback_data=AskCancelEvent(e).pack()))
    if AdminAction.DELETE in actions:
        danger.append(Button(t(lang, "adm.btn.delete"), callback_data=AskDeleteEvent(e).pack()))
    if danger:
        rows.append(danger)
    rows.append([Button(t(lang, "adm.btn.list"), callback_data=AdminEventsPage(0).pack())])
    return Screen(head + body + tail, Markup(rows))


def choose_event_field(lang: str, event: Event) -> Screen:
    rows = field_buttons(lang, lambda name: ChangeEventField(event.id, name))
    rows.append([Button(t(lang, "adm.btn.card"), callback_data=AdminCard(event.id).pack())])
    return Screen(t(lang, "adm.edit.ask", title=esc(event.title), field=t(lang, "adm.edit.choose")), Markup(rows))


def confirm(lang: str, text: str, yes_label: str, yes_data: str, event_id: int) -> Screen:
    return Screen(text, Markup([[Button(yes_label, callback_data=yes_data)],
                                [Button(t(lang, "adm.btn.no"), callback_data=AdminCard(event_id).pack())]]))


def cancel_ask(lang: str, event: Event, active_bookings: int) -> Screen:
    text = t(lang, "adm.cancel_event.ask", title=esc(event.title), when=when(event.starts_at, event.timezone, lang),
             count=active_bookings)
    return confirm(lang, text, t(lang, "adm.btn.yes_cancel"), CancelEvent(event.id).pack(), event.id)


def delete_ask(lang: str, event: Event) -> Screen:
    return confirm(lang, t(lang, "adm.delete.ask", title=esc(event.title)), t(lang, "adm.btn.yes_delete"),
                   DeleteEvent(event.id).pack(), event.id)


def ask(lang: str, action: AdminAction, managed: ManagedEvent) -> Screen:
    """What to ask before doing `action` (change which field? really cancel? really delete?)."""
    event = managed.event
    if action is AdminAction.CHANGE:
        return choose_event_field(lang, event)
    if action is AdminAction.CANCEL:
        return cancel_ask(lang, event, managed.summary.taken_seats)
    return delete_ask(lang, event)


def refusal(lang: str, action: AdminAction, managed: ManagedEvent) -> str:
    """Why an action the card no longer offers can't be done (an old button)."""
    if action is AdminAction.DELETE:
        return t(lang, "adm.delete.booked")
    if action is AdminAction.CANCEL:
        state = managed.summary.state
        return t(lang, "adm.cancel_event.already" if state is BookingState.CANCELLED else "adm.cancel_event.past")
    return ""


# What the organiser is told after "Yes, cancel the event", by the rule's answer.
CANCEL_EVENT_NOTICES = {Outcome.ALREADY_CANCELLED: "adm.cancel_event.already", Outcome.PAST: "adm.cancel_event.past"}


def cancel_event_notice(lang: str, result: CancelEventResult) -> str:
    if result.outcome is Outcome.DONE:
        return t(lang, "adm.cancel_event.done", bookings=result.cancelled_bookings, people=len(result.recipients))
    return t(lang, CANCEL_EVENT_NOTICES.get(result.outcome, "adm.not_found"))


def edit_notice(lang: str, result: EditResult) -> str:
    if result.notify:
        return t(lang, "adm.edit.notified", count=len(result.notify))
    return t(lang, "adm.edit.saved")


def csv_caption(lang: str, summary: EventSummary) -> str:
    # A caption holds 1024 characters; a title of 200 "&" is 1000 once escaped.
    return t(lang, "adm.csv.caption", title=esc(cut(summary.event.title, 80)), count=summary.taken_seats)


def attendees_page(lang: str, event: Event, rows: list[Attendee], page: int, count: int) -> Screen:
    """One page of the attendee list; always under Telegram's 4096 characters, however long the names."""
    back = [Button(t(lang, "adm.btn.card"), callback_data=AdminCard(event.id).pack())]
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
    nav = keyboards.pager(lang, page, total_pages, lambda n: AttendeesPage(event.id, n))
    return Screen(text, Markup([nav, back] if nav else [back]))


def announcement_ask(lang: str, event: Event, count: int, notice: str = "") -> Screen:
    return Screen(with_notice(notice, t(lang, "adm.ann.ask", title=esc(event.title), count=count)))


def _with_announcement(lang: str, key: str, event: Event, text_html: str, **values) -> str:
    """An announcement under the event's title; a long title (longer once escaped) is shortened to fit."""
    for title_max in (len(event.title), 80, 20):
        text = t(lang, key, title=esc(cut(event.title, title_max)), text=text_html, **values)
        if len(text) <= MESSAGE_LIMIT:
            break
    return text


def announcement_confirm(lang: str, event: Event, count: int, text_html: str) -> Screen:
    text = _with_announcement(lang, "adm.ann.confirm", event, text_html, count=count)
    return confirm(lang, text, t(lang, "adm.btn.send"), SendAnnouncement(event.id).pack(), event.id)


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
