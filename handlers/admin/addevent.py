"""/addevent: the organiser's wizard, one question at a time, then a preview to publish.

No in-memory conversation state: the draft is a row (db/drafts.py), and any message from an admin
who has one is routed here, so a restart or another bot process carries on where the admin was.
"""
from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from views import admin as admin_views
from views import buttons as callbacks
from handlers.context import Context
from views.texts import t
from views.screen import Screen
from db import drafts, events, manage, outbox
from images import posters
from db.models import EventDraft, Poster
from db.session import DuplicateUpdate
from handlers import fallback
from handlers.admin.access import admin_only, is_admin
from handlers.screens import send, show

log = logging.getLogger(__name__)


# --- reading what the admin sent ----------------------------------------------------------------------

def answer_from(message: Message) -> drafts.Answer | None:
    """Text, a shared place or a location pin; None for anything else (a sticker, a photo...)."""
    if message.venue is not None:
        v = message.venue
        return drafts.Venue(v.title or "", v.address or "", v.location.latitude, v.location.longitude)
    if message.location is not None:
        return drafts.Location(message.location.latitude, message.location.longitude)
    return message.text


async def read_poster(message: Message, context: Context) -> Poster:
    """Download the photo or image file and let Pillow check and cut it; raises drafts.Invalid."""
    if message.photo:
        upload = message.photo[-1]  # Telegram's largest size of the photo
    elif message.document is not None:
        upload = message.document
        if upload.mime_type and not upload.mime_type.startswith("image/"):
            raise drafts.Invalid("poster", "not_image")
    else:
        raise drafts.Invalid("poster")
    if upload.file_size and upload.file_size > posters.MAX_UPLOAD_BYTES:  # before downloading a byte
        raise drafts.Invalid("poster", "too_big")
    try:
        await context.bot.send_chat_action(message.chat_id, ChatAction.UPLOAD_PHOTO)  # a big upload takes a moment
        file = await context.bot.get_file(upload.file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        log.info("could not download a poster: %s", exc)
        raise drafts.Invalid("poster", "too_big" if "too big" in str(exc).lower() else "not_image") from None
    try:
        # Decoding and resizing is CPU work; off the event loop, other chats keep being answered.
        processed = await asyncio.to_thread(posters.process, data)
    except posters.PosterError as exc:
        raise drafts.Invalid("poster", exc.reason) from None
    return events.new_poster(processed)


# --- what to show for a draft ---------------------------------------------------------------------------

async def draft_screens(context: Context, session, draft: EventDraft, notice: str = "") -> list[Screen]:
    """The current question, or at the end the preview, for this draft."""
    lang, tz = context.lang, context.settings.timezone
    if draft.kind == drafts.EDIT:
        summary = await manage.event_with_counts(session, draft.event_id) if draft.event_id else None
        if summary is None:
            return [Screen(t(lang, "adm.not_found"))]
        event = summary[0].event
        if draft.step in (drafts.ANNOUNCE, drafts.ANNOUNCE_CONFIRM):
            screen = admin_views.announcement_ask(lang, event, summary[0].taken_seats)
            screen.text = "\n\n".join(p for p in (notice, screen.text) if p)
            return [screen]
        return [admin_views.question(lang, draft.step, tz, notice=notice, event_title=event.title)]
    if draft.step == drafts.PREVIEW:
        event, total = drafts.preview(draft, tz)
        poster = await events.poster_source(session, draft.poster_id)
        head = "\n\n".join(p for p in (notice, t(lang, "adm.preview")) if p)
        return [Screen(head), admin_views.preview(lang, event, total, poster)]
    return [admin_views.question(lang, draft.step, tz, reviewing=draft.reviewing, notice=notice)]


async def present(update: Update, context: Context, screens: list[Screen]) -> None:
    """In place of the tapped message when there is one, else as new messages."""
    first, *rest = screens
    if update.callback_query is not None:
        await show(update, context, first)
    else:
        await send(update.effective_chat.id, context, first)
    for screen in rest:
        await send(update.effective_chat.id, context, screen)


async def present_current(update: Update, context: Context, notice: str = "") -> None:
    async with context.db.read() as session:
        draft = await drafts.active(session, update.effective_user.id)
        screens = await draft_screens(context, session, draft, notice) if draft else [
            Screen(t(context.lang, "adm.no_draft"))]
    await present(update, context, screens)


# --- commands -----------------------------------------------------------------------------------------

@admin_only
async def on_addevent(update: Update, context: Context) -> None:
    """Start a draft, or carry on with the one under way."""
    async with context.db.write() as session:
        draft, resumed = await drafts.start(session, update.effective_user.id)
        screens = await draft_screens(context, session, draft, t(context.lang, "adm.resumed") if resumed else "")
    await present(update, context, screens)


@admin_only
async def on_cancel(update: Update, context: Context) -> None:
    """/cancel: drop whatever the admin is in the middle of; nothing half-written stays."""
    async with context.db.write() as session:
        draft = await drafts.active(session, update.effective_user.id)
        kind = draft.kind if draft else None
        if draft is not None:
            await drafts.discard(session, draft)
    key = {drafts.NEW: "adm.cancelled", drafts.EDIT: "adm.edit_cancelled"}.get(kind, "adm.nothing_to_cancel")
    await update.effective_message.reply_text(t(context.lang, key))


# --- answers --------------------------------------------------------------------------------------------

async def on_message(update: Update, context: Context) -> None:
    """Any non-command message: an answer when an admin has a draft, else the usual reply."""
    if not is_admin(update, context):
        await fallback.on_other_message(update, context)
        return
    async with context.db.read() as session:
        draft = await drafts.active(session, update.effective_user.id)
    if draft is None:
        await fallback.on_other_message(update, context)
        return
    message = update.effective_message
    if draft.kind == drafts.EDIT and draft.step in (drafts.ANNOUNCE, drafts.ANNOUNCE_CONFIRM):
        from handlers.admin.manage import on_announcement_text

        await on_announcement_text(update, context)
    elif draft.step == "poster":
        try:
            poster = await read_poster(message, context)
        except drafts.Invalid as exc:
            await present_current(update, context, admin_views.problem_text(context.lang, "poster", exc.reason))
            return
        await apply_answer(update, context, poster)
    elif draft.step == drafts.PREVIEW:
        await present_current(update, context)
    else:
        await apply_answer(update, context, answer_from(message))


async def apply_answer(update: Update, context: Context, value: drafts.Answer | Poster | None) -> None:
    """Record the answer to the current question and show the next one; a wrong one is explained and
    the question asked again."""
    admin_id, lang = update.effective_user.id, context.lang
    kind, result, screens = None, None, [Screen(t(lang, "adm.no_draft"))]
    try:
        # Recorded with the update: a webhook retry of this answer must not answer the next question.
        async with context.db.write(update_id=update.update_id) as session:
            draft = await drafts.active(session, admin_id)
            if draft is not None:
                kind = draft.kind
                if value is None:
                    raise drafts.Invalid(draft.step)
                if kind == drafts.EDIT:
                    result = await manage.apply_edit(session, draft, value)
                    if result is not None and result.notify:  # told with the change, or not at all
                        await outbox.notify_attendees(session, outbox.CHANGED, result.event.id, update_id=update.update_id,
                                           report_to=update.effective_chat.id, letters=[(r.user_id, admin_views.changed_letter(r, result.event))
                                            for r in result.notify])
                elif isinstance(value, Poster):
                    await drafts.set_poster(session, draft, value)
                    screens = await draft_screens(context, session, draft)
                else:
                    await drafts.answer(session, draft, value, tz=context.settings.timezone)
                    screens = await draft_screens(context, session, draft)
    except drafts.Invalid as exc:  # nothing was written: the transaction rolled back
        await present_current(update, context, admin_views.problem_text(lang, exc.field, exc.reason))
        return
    except DuplicateUpdate:  # Telegram delivered this message again: show where things stand
        await present_current(update, context)
        return
    if kind == drafts.EDIT:
        from handlers.admin.manage import after_edit

        await after_edit(update, context, result)
        return
    await present(update, context, screens)


# --- buttons --------------------------------------------------------------------------------------------

@admin_only
async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    cb = callbacks.parse(query.data)
    admin_id, lang = query.from_user.id, context.lang
    if cb.action == "new":
        await query.answer()
        await on_addevent.__wrapped__(update, context)
        return
    if cb.action == "cat":
        if cb.index >= len(drafts.CATEGORIES):
            raise callbacks.StaleButton(query.data)
        await query.answer()
        async with context.db.read() as session:
            draft = await drafts.active(session, admin_id)
        if draft is None or draft.step != "category":
            await present_current(update, context)
            return
        await apply_answer(update, context, drafts.CATEGORIES[cb.index])
        return
    await query.answer()
    try:
        screens, published = await _wizard_tap(update, context, cb)
    except DuplicateUpdate:  # a redelivered tap: publish or discard happen once
        await present_current(update, context)
        return
    if published is not None:
        link = f"https://t.me/{context.bot.username}?start=event_{published.id}"
        screens = [admin_views.published(lang, published, link)]
    await present(update, context, screens)


async def _wizard_tap(update: Update, context: Context, cb: callbacks.Callback):
    """Skip the poster, publish, pick a field to change, back to the preview, discard."""
    lang, published, screens = context.lang, None, []
    async with context.db.write(update_id=update.update_id) as session:
        draft = await drafts.get(session, update.effective_user.id, drafts.NEW)
        if draft is None:
            screens = [Screen(t(lang, "adm.no_draft"))]
        elif cb.action == "skip" and draft.step == "poster":
            await drafts.set_poster(session, draft, None)
            screens = await draft_screens(context, session, draft)
        elif cb.action == "pub" and drafts.ready(draft):
            try:
                published = await drafts.publish(session, draft, context.settings.timezone)
            except drafts.Invalid as exc:  # the date went by while the preview waited
                problem = admin_views.problem_text(lang, exc.field, exc.reason)
                screens = await draft_screens(context, session, draft, problem)
        elif cb.action == "edit" and drafts.ready(draft):
            screens = [admin_views.choose_draft_field(lang)]
        elif cb.action == "field" and drafts.ready(draft) and cb.index < len(drafts.FIELDS):
            await drafts.jump(session, draft, drafts.FIELDS[cb.index])
            screens = await draft_screens(context, session, draft)
        elif cb.action == "prev":
            await drafts.back_to_preview(session, draft)
            screens = await draft_screens(context, session, draft)
        elif cb.action == "drop":
            await drafts.discard(session, draft)
            screens = [Screen(t(lang, "adm.discarded"))]
        else:  # an old button from an earlier step: show where the draft is now
            screens = await draft_screens(context, session, draft)
    return screens, published
