"""The catalogue: /events with pages, and an event's card."""
from __future__ import annotations

from telegram import Update

from views import attendee as views
from views import buttons as callbacks
from handlers.context import Context
from views.texts import t
from db import events
from handlers.screens import show


async def events_screen(context: Context, page: int) -> views.Screen:
    async with context.db.read() as session:
        summaries, count = await events.upcoming_page(
            session, offset=page * views.EVENTS_PER_PAGE, limit=views.EVENTS_PER_PAGE
        )
        if not summaries and count and page > 0:  # the list shrank since the button was made
            page = views.pages(count, views.EVENTS_PER_PAGE) - 1
            summaries, count = await events.upcoming_page(
                session, offset=page * views.EVENTS_PER_PAGE, limit=views.EVENTS_PER_PAGE
            )
    return views.events_page(context.lang, summaries, page, count)


async def on_events(update: Update, context: Context) -> None:
    await show(update, context, await events_screen(context, 0))


async def on_events_page(update: Update, context: Context) -> None:
    query = update.callback_query
    cb = callbacks.parse(query.data)
    await query.answer()
    await show(update, context, await events_screen(context, cb.page))


async def card_screen(context: Context, event_id: int, page: int) -> views.Screen | None:
    async with context.db.read() as session:
        summary = await events.event_summary(session, event_id)
        if summary is None:
            return None
        poster = await events.poster_source(session, summary.event.poster_id, summary.poster_file_id)
    username = context.bot.username
    share = f"https://t.me/{username}?start=event_{event_id}" if username else None
    return views.event_card(context.lang, summary, page, poster, share)


async def open_event(update: Update, context: Context, event_id: int, page: int) -> None:
    screen = await card_screen(context, event_id, page)
    if screen is None:
        screen = await events_screen(context, 0)
        screen.text = t(context.lang, "not_found") + "\n\n" + screen.text
    await show(update, context, screen)


async def on_card(update: Update, context: Context) -> None:
    query = update.callback_query
    cb = callbacks.parse(query.data)
    await query.answer()
    await open_event(update, context, cb.event_id, cb.page)
