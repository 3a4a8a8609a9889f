"""/myevents: the organiser's events and, for each, an admin card: change a field, attendees (paged,
and as CSV), a message to attendees, cancel the event, delete it. Every tap is checked against
db/manage.py (may_manage, admin_actions) before anything is shown or done."""
from __future__ import annotations

from telegram import InputFile, Update

from db import drafts, manage, outbox
from db.manage import AdminAction, Outcome
from handlers.admin.access import admin_only, own_event_tap
from handlers.admin.screens import card_screen, draft_screens, events_screen
from handlers.context import Context
from handlers.screens import present, show
from views import admin as admin_views
from views.buttons import (
    AdminCard,
    AdminEventsPage,
    AskCancelEvent,
    AskDeleteEvent,
    AttendeesCsv,
    AttendeesPage,
    CancelEvent,
    ChangeEventField,
    ChooseEventField,
    DeleteEvent,
    SendAnnouncement,
    StaleButton,
    StartAnnouncement,
)
from views.texts import t


@admin_only
async def on_myevents(update: Update, context: Context) -> None:
    await show(update, context, await events_screen(context, update.effective_user.id, 0))


@admin_only
async def on_events_page(update: Update, context: Context) -> None:
    button = AdminEventsPage.parse(update.callback_query.data)
    await update.callback_query.answer()
    await show(update, context, await events_screen(context, update.effective_user.id, button.page))


@own_event_tap(AdminCard)
async def on_card(update: Update, context: Context, button: AdminCard) -> None:
    await update.callback_query.answer()
    await show(update, context, await card_screen(context, button.event_id))


async def _ask(update: Update, context: Context, event_id: int, action: AdminAction) -> None:
    """The field chooser, or the question before cancelling or deleting: when the rules allow it now,
    else the card saying why not."""
    await update.callback_query.answer()
    async with context.db.read() as session:
        managed = await manage.managed_event(session, event_id)
    if managed is None or action not in managed.actions:
        notice = admin_views.refusal(context.lang, action, managed) if managed else ""
        await show(update, context, await card_screen(context, event_id, notice))
        return
    await show(update, context, admin_views.ask(context.lang, action, managed))


@own_event_tap(ChooseEventField)
async def on_choose_field(update: Update, context: Context, button: ChooseEventField) -> None:
    await _ask(update, context, button.event_id, AdminAction.CHANGE)


@own_event_tap(AskCancelEvent)
async def on_ask_cancel(update: Update, context: Context, button: AskCancelEvent) -> None:
    await _ask(update, context, button.event_id, AdminAction.CANCEL)


@own_event_tap(AskDeleteEvent)
async def on_ask_delete(update: Update, context: Context, button: AskDeleteEvent) -> None:
    await _ask(update, context, button.event_id, AdminAction.DELETE)


@own_event_tap(ChangeEventField)
async def on_change_field(update: Update, context: Context, button: ChangeEventField) -> None:
    """Make the admin's next message the new value of one field."""
    if button.field not in drafts.FIELDS:  # before answering: a forged one is answered once, as stale
        raise StaleButton(update.callback_query.data)
    await update.callback_query.answer()
    async with context.db.write() as session:
        outcome = await manage.start_edit(session, update.effective_user.id, button.event_id, button.field)
        draft = await drafts.get(session, update.effective_user.id, drafts.EDIT) if outcome is Outcome.DONE else None
        screens = await draft_screens(context, session, draft) if draft else None
    if screens is None:
        notice = t(context.lang, "adm.bad.hall_booked") if outcome is Outcome.HAS_BOOKINGS else ""
        screens = [await card_screen(context, button.event_id, notice)]
    await present(update, context, screens)


@own_event_tap(CancelEvent)
async def on_cancel_event(update: Update, context: Context, button: CancelEvent) -> None:
    """Cancel the event and every booking of it; each attendee is told once (through the outbox)."""
    async with context.db.write() as session:
        result = await manage.cancel_event(session, button.event_id)
        if result.outcome is Outcome.DONE:
            letters = [(r.user_id, admin_views.cancelled_letter(r, result.event)) for r in result.recipients]
            await outbox.notify_attendees(session, outbox.CANCELLED, button.event_id, update_id=update.update_id,
                                          report_to=update.effective_chat.id, letters=letters)
    await update.callback_query.answer()
    if result.outcome is Outcome.DONE:
        context.wake_outbox()
    await show(update, context, await card_screen(context, button.event_id,
                                                  admin_views.cancel_event_notice(context.lang, result)))


@own_event_tap(DeleteEvent)
async def on_delete(update: Update, context: Context, button: DeleteEvent) -> None:
    async with context.db.write() as session:
        outcome = await manage.delete_event(session, button.event_id)
    await update.callback_query.answer()
    if outcome is Outcome.HAS_BOOKINGS:
        await show(update, context, await card_screen(context, button.event_id, t(context.lang, "adm.delete.booked")))
        return
    notice = t(context.lang, "adm.delete.done" if outcome is Outcome.DONE else "adm.not_found")
    await show(update, context, await events_screen(context, update.effective_user.id, 0, notice))


@own_event_tap(AttendeesPage)
async def on_attendees(update: Update, context: Context, button: AttendeesPage) -> None:
    await update.callback_query.answer()
    per_page = admin_views.ATTENDEES_PER_PAGE
    async with context.db.read() as session:
        managed = await manage.managed_event(session, button.event_id)
        if managed is not None:
            rows, count = await manage.attendees(session, button.event_id, offset=button.page * per_page,
                                                 limit=per_page)
    if managed is None:
        await show(update, context, await card_screen(context, button.event_id))
        return
    await show(update, context, admin_views.attendees_page(context.lang, managed.event, rows, button.page, count))


@own_event_tap(AttendeesCsv)
async def on_csv(update: Update, context: Context, button: AttendeesCsv) -> None:
    await update.callback_query.answer()
    async with context.db.read() as session:
        managed = await manage.managed_event(session, button.event_id)
        data = await manage.attendees_csv(session, button.event_id, managed.event.timezone) if managed else None
    if managed is None:
        await show(update, context, await card_screen(context, button.event_id))
        return
    await context.bot.send_document(update.effective_chat.id,
                                    InputFile(data, filename=f"event-{button.event_id}-bookings.csv"),
                                    caption=admin_views.csv_caption(context.lang, managed.summary))


@own_event_tap(StartAnnouncement)
async def on_start_announcement(update: Update, context: Context, button: StartAnnouncement) -> None:
    await update.callback_query.answer()
    async with context.db.write() as session:
        outcome, managed = await manage.start_announcement(session, update.effective_user.id, button.event_id)
    if outcome is Outcome.DONE:
        screen = admin_views.announcement_ask(context.lang, managed.event, managed.summary.taken_seats)
    else:
        screen = await card_screen(context, button.event_id,
                                   t(context.lang, "adm.ann.none") if outcome is Outcome.NOBODY else "")
    await show(update, context, screen)


@own_event_tap(SendAnnouncement)
async def on_send_announcement(update: Update, context: Context, button: SendAnnouncement) -> None:
    async with context.db.write() as session:
        sent = await manage.send_announcement(session, update.effective_user.id, button.event_id)
        if sent.outcome is Outcome.DONE:
            letters = [(r.user_id, admin_views.announcement_letter(r, sent.event, sent.text_html))
                       for r in sent.recipients]
            await outbox.notify_attendees(session, outbox.ANNOUNCEMENT, button.event_id, update_id=update.update_id,
                                          report_to=update.effective_chat.id, letters=letters)
    await update.callback_query.answer()
    if sent.outcome is not Outcome.DONE:  # sent already, or an old button: nothing goes out twice
        await show(update, context, await card_screen(context, button.event_id))
        return
    context.wake_outbox()
    await show(update, context, await card_screen(context, button.event_id,
                                                  t(context.lang, "adm.ann.sending", count=len(sent.recipients))))
