"""How dates, money and user text look in messages."""
from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from db.money import CURRENCY_EXPONENT
from views.texts import t

CURRENCY_SYMBOL = {"KZT": "₸", "RUB": "₽", "USD": "$", "EUR": "€", "XTR": "⭐"}

CAPTION_LIMIT = 1024
MESSAGE_LIMIT = 4096


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def venue_line(event) -> str:
    """'Rhapsody Club, Abay Ave 43' (plain text; escape it where it is shown)."""
    return ", ".join(p for p in (event.venue_name, event.venue_address) if p)


def local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


def when(dt: datetime, tz: str, lang: str) -> str:
    """'Fri, 25 Dec 2026, 19:00' in the event's own time zone."""
    d = local(dt, tz)
    return t(
        lang, "datetime",
        weekday=t(lang, "weekdays").split(",")[d.weekday()],
        day=d.day, month=t(lang, "months").split(",")[d.month - 1], year=d.year, time=d.strftime("%H:%M"),
    )


def when_short(dt: datetime, tz: str, lang: str) -> str:
    d = local(dt, tz)
    return t(lang, "date_short", day=d.day, month=t(lang, "months").split(",")[d.month - 1][:3],
             time=d.strftime("%H:%M"))


def money(minor: int, currency: str, lang: str) -> str:
    if minor == 0:
        return t(lang, "price.free")
    exponent = CURRENCY_EXPONENT.get(currency, 2)
    whole, part = divmod(minor, 10**exponent) if exponent else (minor, 0)
    text = f"{whole:,}".replace(",", "\u00a0")
    if part:
        text += f"{',' if lang == 'ru' else '.'}{part:0{exponent}d}"
    symbol = CURRENCY_SYMBOL.get(currency)
    return f"{text}\u00a0{symbol}" if symbol else f"{text}\u00a0{currency}"


def cut(text: str, limit: int) -> str:
    """Shorten plain text to fit, on a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: max(0, limit - 1)]
    space = head.rfind(" ")
    if space > limit * 0.6:
        head = head[:space]
    return head.rstrip() + "…"
