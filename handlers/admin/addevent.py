"""/addevent: the organiser's wizard, one question at a time, then a preview to publish. The answers
themselves arrive as messages (handlers/admin/answers.py); this module holds the commands and the
draft's buttons, whose rules (which button works when) are db/drafts.py's table."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from db import drafts
from db.drafts import Move, Tapped, TapResult
from db.session import DuplicateUpdate
from handlers.admin.access import admin_only
from handlers.admin.answers import apply_answer
from handlers.admin.screens import draft_screens, present_current
from handlers.context import Context
from handlers.screens import present
from views import admin as admin_views
from views.buttons import (
    BackToPreview,
    ButtonData,
    DiscardDraft,
    EditDraft,
    EditDraftField,
    NewEvent,
    PickCategory,
    PublishDraft,
    SkipPoster,
)
from views.links import event_link
from views.screen import Screen
from views.texts import t


async def start_draft(update: Update, context: Context) -> None:
    """Start a draft, or carry on with the one under way."""
    async with context.db.write() as session:
        draft, resumed = await drafts.start(session, update.effective_user.id)
        screens = await draft_screens(context, session, draft, t(context.lang, "adm.resumed") if resumed else "")
    await present(update, context, screens)


@admin_only
async def on_addevent(update: Update, context: Context) -> None:
    await start_draft(update, context)


@admin_only
async def on_new_event(update: Update, context: Context) -> None:
    NewEvent.parse(update.callback_query.data)
    await update.callback_query.answer()
    await start_draft(update, context)


@admin_only
async def on_cancel(update: Update, context: Context) -> None:
    """/cancel: drop whatever the admin is in the middle of; nothing half-written stays."""
    async with context.db.write() as session:
        draft = await drafts.active(session, update.effective_user.id)
        kind = draft.kind if draft else None
        if draft is not None:
            await drafts.discard(session, draft)
    await update.effective_message.reply_text(admin_views.cancelled_text(context.lang, kind))


@admin_only
async def on_category(update: Update, context: Context) -> None:
    """A category button answers the category question like a typed answer would."""
    button = PickCategory.parse(update.callback_query.data)
    await update.callback_query.answer()
    async with context.db.read() as session:
        draft = await drafts.active(session, update.effective_user.id)
    if draft is None or draft.step != "category":  # an old keyboard
        await present_current(update, context)
        return
    await apply_answer(update, context, button.category)


async def tap_screens(context: Context, session, draft, result: TapResult) -> list[Screen]:
    lang = context.lang
    match result.outcome:
        case Tapped.NO_DRAFT:
            return [Screen(t(lang, "adm.no_draft"))]
        case Tapped.CHOOSE_FIELD:
            return [admin_views.choose_draft_field(lang)]
        case Tapped.PUBLISHED:
            return [admin_views.published(lang, result.event, event_link(context.bot.username, result.event.id))]
        case Tapped.DISCARDED:
            return [Screen(t(lang, "adm.discarded"))]
    problem = result.problem
    notice = admin_views.problem_text(lang, problem.field, problem.reason, problem.details) if problem else ""
    return await draft_screens(context, session, draft, notice)


def draft_tap(button_type: type[ButtonData], move: Move) -> Callable[[Update, Context], Awaitable[None]]:
    """The handler of one of the draft's buttons (skip the poster, publish, edit, a field, back, discard)."""

    @admin_only
    async def on_tap(update: Update, context: Context) -> None:
        button = button_type.parse(update.callback_query.data)
        await update.callback_query.answer()
        try:
            async with context.db.write(update_id=update.update_id) as session:
                draft = await drafts.get(session, update.effective_user.id, drafts.NEW)
                result = await drafts.tap(session, draft, move, tz=context.settings.timezone,
                                          field=getattr(button, "field", None))
                screens = await tap_screens(context, session, draft, result)
        except DuplicateUpdate:  # a redelivered tap: publish or discard happen once
            await present_current(update, context)
            return
        await present(update, context, screens)

    on_tap.__name__ = on_tap.__qualname__ = f"on_{move.value}"
    return on_tap


on_skip_poster = draft_tap(SkipPoster, Move.SKIP_POSTER)
on_publish = draft_tap(PublishDraft, Move.PUBLISH)
on_edit = draft_tap(EditDraft, Move.EDIT)
on_edit_field = draft_tap(EditDraftField, Move.PICK_FIELD)
on_back_to_preview = draft_tap(BackToPreview, Move.PREVIEW)
on_discard = draft_tap(DiscardDraft, Move.DISCARD)
