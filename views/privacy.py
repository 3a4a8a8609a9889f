"""Settings and one's own data: the settings menu, the /mydata file, the /forgetme question and answer,
and the organiser's notice about seats a forgotten user freed. Pure functions over db/users.py's results."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup

from views.buttons import AskForget, Forget, LanguageMenu, MainMenu, MyData, SettingsMenu
from views.formatting import esc, when
from views.screen import Screen
from views.texts import t
from db.money import CURRENCY_EXPONENT
from db.users import Forgotten, OrganiserNotice, PersonalData


def settings_menu(lang: str) -> Screen:
    return Screen(t(lang, "settings.title"), Markup([
        [Button(t(lang, "btn.language"), callback_data=LanguageMenu().pack())],
        [Button(t(lang, "btn.mydata"), callback_data=MyData().pack())],
        [Button(t(lang, "btn.forget"), callback_data=AskForget().pack())],
        [Button(t(lang, "btn.menu"), callback_data=MainMenu().pack())],
    ]))


def forget_ask(lang: str, upcoming: int) -> Screen:
    return Screen(t(lang, "forget.ask", upcoming=upcoming), Markup([
        [Button(t(lang, "btn.forget_yes"), callback_data=Forget().pack())],
        [Button(t(lang, "btn.forget_no"), callback_data=SettingsMenu().pack())],
    ]))


def forgotten(lang: str, result: Forgotten | None) -> Screen:
    """After the erasure (None: a redelivered tap, already done). No buttons: a tap would make a new account."""
    if result is None:
        return Screen(t(lang, "forget.again"))
    return Screen(t(lang, "forget.done", cancelled=result.cancelled, kept=result.kept))


def organiser_letter(notice: OrganiserNotice) -> str:
    """To the organiser, in their language; names no one."""
    event, lang = notice.event, notice.language
    return t(lang, "notify.forgotten", title=esc(event.title), when=when(event.starts_at, event.timezone, lang),
             seats=esc(", ".join(notice.seats)))


# --- the /mydata file ------------------------------------------------------------------------------------

def _iso(moment: datetime | None, tz: str | None = None) -> str | None:
    if moment is None:
        return None
    return (moment.astimezone(ZoneInfo(tz)) if tz else moment).isoformat(timespec="seconds")


def _amount(minor: int, currency: str) -> str:
    """5000.00 for 500000 KZT: exact, whatever the reader does with floats."""
    exponent = CURRENCY_EXPONENT.get(currency, 2)
    whole, part = divmod(minor, 10**exponent)
    return f"{whole}.{part:0{exponent}d}" if exponent else str(whole)


def mydata_filename(user_id: int) -> str:
    return f"eventbot-mydata-{user_id}.json"


def mydata_caption(lang: str, data: PersonalData) -> str:
    if data.account is None and not (data.bookings or data.drafts or data.events or data.notices):
        return t(lang, "mydata.nothing")
    return t(lang, "mydata.caption", bookings=len(data.bookings), drafts=len(data.drafts), events=len(data.events),
             notices=len(data.notices))


def mydata_json(data: PersonalData) -> bytes:
    """Everything in `data`, as indented UTF-8 JSON: times in ISO 8601 (UTC, or the event's own zone for
    its date), money in minor units with the currency and as a decimal string."""
    account = data.account
    document = {
        "user_id": data.user_id,
        "account": None if account is None else {
            "first_name": account.first_name, "last_name": account.last_name, "username": account.username,
            "language": account.language, "created_at": _iso(account.created_at),
            "updated_at": _iso(account.updated_at),
        },
        "bookings": [{
            "booking_id": b.id, "event_id": b.event_id, "event": b.event_title,
            "event_starts_at": _iso(b.starts_at, b.event_timezone), "event_timezone": b.event_timezone,
            "venue": b.venue, "seat": b.seat, "status": b.status, "price": _amount(b.price_minor, b.currency),
            "price_minor": b.price_minor, "currency": b.currency, "created_at": _iso(b.created_at), "cancelled_at": _iso(b.cancelled_at),
        } for b in data.bookings],
        "drafts": [{
            "kind": d.kind, "step": d.step, "event_id": d.event_id, "answers": d.data,
            "created_at": _iso(d.created_at), "updated_at": _iso(d.updated_at),
        } for d in data.drafts],
        "events_created": [{
            "event_id": e.id, "title": e.title, "starts_at": _iso(e.starts_at, e.timezone), "timezone": e.timezone,
            "status": e.status, "created_at": _iso(e.created_at),
        } for e in data.events],
        "messages_to_you": [{
            "text": n.text, "status": n.status, "queued_at": _iso(n.created_at), "sent_at": _iso(n.sent_at),
        } for n in data.notices],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")
