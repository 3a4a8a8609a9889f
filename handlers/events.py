"""The catalogue: /events with pages and filters, and an event's card."""
from __future__ import annotations

from functools import partial

from telegram import Update

from db import events
from db.events import EventFilter
from db.paging import clamped_page
from handlers.context import Context
from handlers.screens import show
from views import attendee
from views.buttons import ButtonData, EventCard, EventCategories, EventsPage
from views.links import event_link
from views.screen import Screen
from views.texts import t


async def events_screen(context: Context, page: int, notice: str = "",
                        event_filter: EventFilter = EventFilter()) -> Screen:
    async with context.db.read() as session:
        fetch = partial(events.upcoming_page, session, event_filter=event_filter, tz=context.settings.timezone)
        found = await clamped_page(fetch, page, attendee.EVENTS_PER_PAGE)
    return attendee.events_page(context.lang, found.rows, found.number, found.count, notice, event_filter)


async def open_event(update: Update, context: Context, event_id: int, page: int = 0,
                     back: ButtonData | None = None) -> None:
    """The event's card (◀ Back goes to `back`, by default page `page` of /events); the list,
    saying so, when the event is gone."""
    async with context.db.read() as session:
        summary = await events.event_summary(session, event_id)
        poster = await events.poster_source(session, summary.event.poster_id, summary.poster_file_id) if summary else None
    if summary is None:
        await show(update, context, await events_screen(context, 0, t(context.lang, "not_found")))
        return
    share = event_link(context.bot.username, event_id)
    await show(update, context, attendee.event_card(context.lang, summary, page, poster, share, back))


async def on_events(update: Update, context: Context) -> None:
    await show(update, context, await events_screen(context, 0))


async def on_events_page(update: Update, context: Context) -> None:
    """◀ ▶, a filter turned on or off, a category picked: the filter rides in the button."""
    button = EventsPage.parse(update.callback_query.data)
    await update.callback_query.answer()
    event_filter = EventFilter(button.when, button.category, button.free)
    await show(update, context, await events_screen(context, button.page, event_filter=event_filter))


async def on_categories(update: Update, context: Context) -> None:
    button = EventCategories.parse(update.callback_query.data)
    await update.callback_query.answer()
    await show(update, context, attendee.category_picker(context.lang, EventFilter(button.when, free=button.free)))


async def on_card(update: Update, context: Context) -> None:
    button = EventCard.parse(update.callback_query.data)
    await update.callback_query.answer()
    back = EventsPage(button.page, button.when, button.category, button.free)
    await open_event(update, context, button.event_id, button.page, back)
