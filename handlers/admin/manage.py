"""/myevents: the organiser's events and, for each, an admin card: change a field, attendees (paged,
and as CSV), a message to attendees, cancel the event, delete it."""
from __future__ import annotations

from telegram import InputFile, Update

from views import admin as admin_views
from views import buttons as callbacks
from handlers.context import Context
from views.formatting import cut, esc
from views.texts import t
from views.screen import Screen
from db import drafts, manage, outbox
from db.manage import Outcome
from handlers.admin.access import admin_only
from handlers.admin.addevent import draft_screens, present
from handlers.screens import send, show


async def events_screen(context: Context, admin_id: int, page: int) -> Screen:
    per_page = admin_views.EVENTS_PER_PAGE
    async with context.db.read() as session:
        summaries, count = await manage.admin_events(session, admin_id, offset=page * per_page, limit=per_page)
        if not summaries and count and page > 0:  # the list shrank since the button was made
            page = (count - 1) // per_page
            summaries, count = await manage.admin_events(session, admin_id, offset=page * per_page, limit=per_page)
    return admin_views.events_page(context.lang, summaries, page, count)


async def card_screen(context: Context, event_id: int, notice: str = "") -> Screen:
    async with context.db.read() as session:
        found = await manage.event_with_counts(session, event_id)
    if found is None:
        return Screen(t(context.lang, "adm.not_found"), admin_views.events_page(context.lang, [], 0, 0).markup)
    return admin_views.admin_card(context.lang, *found, notice=notice)


@admin_only
async def on_myevents(update: Update, context: Context) -> None:
    await show(update, context, await events_screen(context, update.effective_user.id, 0))


@admin_only
async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    cb = callbacks.parse(query.data)
    admin_id, action = query.from_user.id, cb.action
    if "event_id" in cb.args:
        async with context.db.read() as session:
            if not await manage.may_manage(session, admin_id, cb.event_id):
                raise callbacks.StaleButton(query.data)  # another organiser's event: nothing to see
    if action == "list":
        await query.answer()
        await show(update, context, await events_screen(context, admin_id, cb.page))
    elif action == "card":
        await query.answer()
        await show(update, context, await card_screen(context, cb.event_id))
    elif action in ("chg", "cask", "dask"):
        await query.answer()
        await _ask(update, context, action, cb.event_id)
    elif action == "set":
        if cb.index >= len(drafts.FIELDS):  # before answering: a forged one is answered once, as stale
            raise callbacks.StaleButton(query.data)
        await query.answer()
        await _start_edit(update, context, cb.event_id, cb.index)
    elif action == "cok":
        await _cancel_event(update, context, cb.event_id)
    elif action == "dok":
        await _delete_event(update, context, cb.event_id)
    elif action == "att":
        await query.answer()
        await _attendees(update, context, cb.event_id, cb.page)
    elif action == "csv":
        await query.answer()
        await _csv(update, context, cb.event_id)
    elif action == "ann":
        await query.answer()
        await _start_announcement(update, context, cb.event_id)
    elif action == "send":
        await _send_announcement(update, context, cb.event_id)
    else:
        raise callbacks.StaleButton(query.data)


async def _ask(update: Update, context: Context, action: str, event_id: int) -> None:
    """The field chooser, or the confirmation before cancelling or deleting."""
    lang = context.lang
    async with context.db.read() as session:
        found = await manage.event_with_counts(session, event_id)
    if found is None:
        await show(update, context, await card_screen(context, event_id))
        return
    summary, ever = found
    if action == "chg":
        screen = admin_views.choose_event_field(lang, summary.event)
    elif action == "cask":
        screen = admin_views.cancel_ask(lang, summary.event, summary.taken_seats)
    elif ever:
        screen = await card_screen(context, event_id, t(lang, "adm.delete.booked"))
    else:
        screen = admin_views.delete_ask(lang, summary.event)
    await show(update, context, screen)


async def _start_edit(update: Update, context: Context, event_id: int, index: int) -> None:
    if index >= len(drafts.FIELDS):
        raise callbacks.StaleButton(update.callback_query.data)
    async with context.db.write() as session:
        outcome = await manage.start_edit(session, update.effective_user.id, event_id, drafts.FIELDS[index])
        draft = await drafts.get(session, update.effective_user.id, drafts.EDIT) if outcome is Outcome.DONE else None
        screens = await draft_screens(context, session, draft) if draft else None
    if outcome is Outcome.HAS_BOOKINGS:
        screens = [await card_screen(context, event_id, t(context.lang, "adm.bad.hall_booked"))]
    elif screens is None:
        screens = [await card_screen(context, event_id)]
    await present(update, context, screens)


async def after_edit(update: Update, context: Context, result: manage.EditResult | None) -> None:
    """A field of a published event was changed: say so, and tell attendees when it matters to them."""
    if result is None:
        await present(update, context, [await card_screen(context, 0)])
        return
    lang = context.lang
    if result.notify:  # queued with the change itself (addevent.apply_answer); send them now
        context.wake_outbox()
        notice = t(lang, "adm.edit.notified", count=len(result.notify))
    else:
        notice = t(lang, "adm.edit.saved")
    await present(update, context, [await card_screen(context, result.event.id, notice)])


async def _cancel_event(update: Update, context: Context, event_id: int) -> None:
    query, lang = update.callback_query, context.lang
    async with context.db.write() as session:
        result = await manage.cancel_event(session, event_id)
        if result.outcome is Outcome.DONE:
            await outbox.notify_attendees(session, outbox.CANCELLED, event_id, update_id=update.update_id,
                               report_to=update.effective_chat.id, letters=[(r.user_id, admin_views.cancelled_letter(r, result.event)) for r in result.recipients])
    await query.answer()
    if result.outcome is Outcome.DONE:
        context.wake_outbox()
        notice = t(lang, "adm.cancel_event.done", bookings=result.cancelled_bookings, people=len(result.recipients))
    else:
        notice = t(lang, {Outcome.ALREADY_CANCELLED: "adm.cancel_event.already",
                          Outcome.PAST: "adm.cancel_event.past"}.get(result.outcome, "adm.not_found"))
    await show(update, context, await card_screen(context, event_id, notice))


async def _delete_event(update: Update, context: Context, event_id: int) -> None:
    query, lang = update.callback_query, context.lang
    async with context.db.write() as session:
        outcome = await manage.delete_event(session, event_id)
    await query.answer()
    if outcome is Outcome.HAS_BOOKINGS:
        await show(update, context, await card_screen(context, event_id, t(lang, "adm.delete.booked")))
        return
    screen = await events_screen(context, query.from_user.id, 0)
    key = "adm.delete.done" if outcome is Outcome.DONE else "adm.not_found"
    screen.text = t(lang, key) + "\n\n" + screen.text
    await show(update, context, screen)


async def _attendees(update: Update, context: Context, event_id: int, page: int) -> None:
    per_page = admin_views.ATTENDEES_PER_PAGE
    async with context.db.read() as session:
        found = await manage.event_with_counts(session, event_id)
        if found is not None:
            rows, count = await manage.attendees(session, event_id, offset=page * per_page, limit=per_page)
    if found is None:
        await show(update, context, await card_screen(context, event_id))
        return
    await show(update, context, admin_views.attendees_page(context.lang, found[0].event, rows, page, count))


async def _csv(update: Update, context: Context, event_id: int) -> None:
    async with context.db.read() as session:
        found = await manage.event_with_counts(session, event_id)
        if found is not None:
            data = await manage.attendees_csv(session, event_id, found[0].event.timezone)
    if found is None:
        await show(update, context, await card_screen(context, event_id))
        return
    summary = found[0]
    await context.bot.send_document(
        update.effective_chat.id, InputFile(data, filename=f"event-{event_id}-bookings.csv"),
        # A caption holds 1024 characters; a title of 200 "&" is 1000 once escaped.
        caption=t(context.lang, "adm.csv.caption", title=esc(cut(summary.event.title, 80)), count=summary.taken_seats),
    )


async def _start_announcement(update: Update, context: Context, event_id: int) -> None:
    async with context.db.write() as session:
        found = await manage.event_with_counts(session, event_id)
        if found is not None and found[0].taken_seats:
            await manage.start_edit(session, update.effective_user.id, event_id, drafts.ANNOUNCE)
    if found is None:
        screen = await card_screen(context, event_id)
    elif not found[0].taken_seats:
        screen = await card_screen(context, event_id, t(context.lang, "adm.ann.none"))
    else:
        screen = admin_views.announcement_ask(context.lang, found[0].event, found[0].taken_seats)
    await show(update, context, screen)


async def on_announcement_text(update: Update, context: Context) -> None:
    """The admin wrote the announcement: keep it (their formatting too) and ask before sending."""
    message, lang = update.effective_message, context.lang
    try:
        async with context.db.write() as session:
            draft = await drafts.get(session, update.effective_user.id, drafts.EDIT)
            text_html = drafts.read_announcement(message.text_html if message.text else None)
            found = await manage.event_with_counts(session, draft.event_id) if draft else None
            if draft is not None and found is not None:
                draft.step, draft.data = drafts.ANNOUNCE_CONFIRM, {"text": text_html}
                count = len(await manage.recipients(session, draft.event_id))
    except drafts.Invalid:
        async with context.db.read() as session:
            draft = await drafts.get(session, update.effective_user.id, drafts.EDIT)
            screens = await draft_screens(context, session, draft, t(lang, "adm.bad.announce")) if draft else []
        if screens:
            await present(update, context, screens)
        return
    if found is None:
        await send(update.effective_chat.id, context, Screen(t(lang, "adm.not_found")))
        return
    await send(update.effective_chat.id, context,
               admin_views.announcement_confirm(lang, found[0].event, count, text_html))


async def _send_announcement(update: Update, context: Context, event_id: int) -> None:
    query, lang = update.callback_query, context.lang
    async with context.db.write() as session:
        draft = await drafts.get(session, query.from_user.id, drafts.EDIT)
        ready = draft is not None and draft.step == drafts.ANNOUNCE_CONFIRM and draft.event_id == event_id
        if ready:
            found = await manage.event_with_counts(session, event_id)
            people = await manage.recipients(session, event_id)
            text_html = draft.data["text"]
            await session.delete(draft)
            if found is not None:
                event = found[0].event
                await outbox.notify_attendees(session, outbox.ANNOUNCEMENT, event_id, update_id=update.update_id,
                                   report_to=update.effective_chat.id, letters=[(r.user_id, admin_views.announcement_letter(r, event, text_html)) for r in people])
    await query.answer()
    if not ready or found is None:  # sent already, or an old button: nothing goes out twice
        await show(update, context, await card_screen(context, event_id))
        return
    context.wake_outbox()
    await show(update, context, await card_screen(context, event_id, t(lang, "adm.ann.sending", count=len(people))))
