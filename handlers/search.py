"""Search: /search <words>, or any text sent outside a wizard; result pages; a found event's card."""
from __future__ import annotations

from functools import partial

from telegram import Update

from db import search
from db.paging import clamped_page
from handlers.context import Context
from handlers.events import open_event
from handlers.screens import show
from views import attendee
from views.buttons import SearchCard, SearchPage
from views.screen import Screen


async def results_screen(context: Context, user_id: int, page: int) -> Screen:
    """Page `page` of the user's last search. The query is kept per user (db/search.py), not in the
    buttons: it is free text in any script, and a button carries only lowercase words."""
    async with context.db.read() as session:
        query = await search.last_query(session, user_id)
        if query is None:
            return attendee.search_prompt(context.lang)
        found = await clamped_page(partial(search.search_page, session, query), page, attendee.EVENTS_PER_PAGE)
    return attendee.search_results(context.lang, query, found.rows, found.number, found.count)


async def search_for(update: Update, context: Context, text: str) -> None:
    if not text.strip():
        await show(update, context, attendee.search_prompt(context.lang))
        return
    user_id = update.effective_user.id
    async with context.db.write() as session:
        await search.remember_query(session, user_id, text)
    await show(update, context, await results_screen(context, user_id, 0))


async def on_search(update: Update, context: Context) -> None:
    """/search jazz; /search alone asks what to look for."""
    await search_for(update, context, " ".join(context.args or []))


async def on_text(update: Update, context: Context) -> None:
    """Plain text outside any wizard: taken as a search."""
    await search_for(update, context, update.effective_message.text)


async def on_page(update: Update, context: Context) -> None:
    button = SearchPage.parse(update.callback_query.data)
    await update.callback_query.answer()
    await show(update, context, await results_screen(context, update.effective_user.id, button.page))


async def on_card(update: Update, context: Context) -> None:
    button = SearchCard.parse(update.callback_query.data)
    await update.callback_query.answer()
    await open_event(update, context, button.event_id, back=SearchPage(button.page))
