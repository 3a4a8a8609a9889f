"""The catalogue: /events with pages, and an event's card."""
from __future__ import annotations

from functools import partial

from telegram import Update

from db import events
from db.paging import clamped_page
from handlers.context import Context
from handlers.screens import show
from views import attendee
from views.buttons import EventCard, EventsPage
from views.links import event_link
from views.screen import Screen
from views.texts import t


async def events_screen(context: Context, page: int, notice: str = "") -> Screen:
    async with context.db.read() as session:
        found = await clamped_page(partial(events.upcoming_page, session), page, attendee.EVENTS_PER_PAGE)
    return attendee.events_page(context.lang, found.rows, found.number, found.count, notice)


async def open_event(update: Update, context: Context, event_id: int, page: int = 0) -> None:
    """The event's card; the list, saying so, when the event is gone."""
    async with context.db.read() as session:
        summary = await events.event_summary(session, event_id)
        poster = await events.poster_source(session, summary.event.poster_id, summary.poster_file_id) if summary else None
    if summary is None:
        await show(update, context, await events_screen(context, 0, t(context.lang, "not_found")))
        return
    share = event_link(context.bot.username, event_id)
    await show(update, context, attendee.event_card(context.lang, summary, page, poster, share))


async def on_events(update: Update, context: Context) -> None:
    await show(update, context, await events_screen(context, 0))


async def on_events_page(update: Update, context: Context) -> None:
    button = EventsPage.parse(update.callback_query.data)
    await update.callback_query.answer()
    await show(update, context, await events_screen(context, button.page))


async def on_card(update: Update, context: Context) -> None:
    button = EventCard.parse(update.callback_query.data)
    await update.callback_query.answer()
    await open_event(update, context, button.event_id, button.page)
