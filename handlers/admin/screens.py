"""The organiser's screens that more than one journey shows: their event list, an event's admin card,
and wherever a draft (/addevent, a field being changed, an announcement) now stands."""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from telegram import Update

from db import drafts, events, manage
from db.models import EventDraft
from db.paging import clamped_page
from handlers.context import Context
from handlers.screens import present
from views import admin as admin_views
from views.screen import Screen, with_notice
from views.texts import t

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


async def events_screen(context: Context, admin_id: int, page: int, notice: str = "") -> Screen:
    async with context.db.read() as session:
        found = await clamped_page(partial(manage.admin_events, session, admin_id), page, admin_views.EVENTS_PER_PAGE)
    return admin_views.events_page(context.lang, found.rows, found.number, found.count, notice)


async def card_screen(context: Context, event_id: int, notice: str = "") -> Screen:
    async with context.db.read() as session:
        managed = await manage.managed_event(session, event_id)
    if managed is None:
        return admin_views.event_gone(context.lang)
    return admin_views.admin_card(context.lang, managed, notice=notice)


async def draft_screens(context: Context, session: AsyncSession, draft: EventDraft, notice: str = "") -> list[Screen]:
    """The current question, the announcement being written, or at the end the preview."""
    lang, tz = context.lang, context.settings.timezone
    if draft.kind == drafts.EDIT:
        managed = await manage.managed_event(session, draft.event_id) if draft.event_id else None
        if managed is None:
            return [Screen(t(lang, "adm.not_found"))]
        if drafts.expects(draft) is drafts.Expect.ANNOUNCEMENT:
            return [admin_views.announcement_ask(lang, managed.event, managed.summary.taken_seats, notice)]
        return [admin_views.question(lang, draft.step, tz, notice=notice, event_title=managed.event.title)]
    if draft.step == drafts.PREVIEW:
        event, total = drafts.preview(draft, tz)
        poster = await events.poster_source(session, draft.poster_id)
        return [Screen(with_notice(notice, t(lang, "adm.preview"))),
                admin_views.preview(lang, event, total, poster)]
    return [admin_views.question(lang, draft.step, tz, reviewing=draft.reviewing, notice=notice)]


async def present_current(update: Update, context: Context, notice: str = "") -> None:
    """Show where the admin's draft stands (after a wrong answer, an old button, a redelivery)."""
    async with context.db.read() as session:
        draft = await drafts.active(session, update.effective_user.id)
        screens = await draft_screens(context, session, draft, notice) if draft else [
            Screen(t(context.lang, "adm.no_draft"))]
    await present(update, context, screens)
