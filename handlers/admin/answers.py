"""An admin's message in a private chat: whatever their draft asks for (an /addevent answer, a
poster, a published event's new value, an announcement), or else the usual reply.

No in-memory conversation state: the draft is a row (db/drafts.py), so a restart or another bot
process carries on where the admin was.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from db import drafts, events, manage, outbox
from db.manage import Outcome
from db.models import Poster
from db.session import DuplicateUpdate
from handlers import fallback
from handlers.admin.access import is_admin
from handlers.admin.screens import card_screen, draft_screens, present_current
from handlers.context import Context
from handlers.screens import present, send, show
from images import posters
from views import admin as admin_views
from views.screen import Screen
from views.texts import t

log = logging.getLogger(__name__)
# Posters decode in threads of their own, as many as images.posters decodes at once: uploads queue
# here, not in threads of the loop's default executor (which DNS look-ups share) blocked on its limit.
POSTER_THREADS = ThreadPoolExecutor(max_workers=posters.MAX_DECODES, thread_name_prefix="poster")


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
    upload = message.photo[-1] if message.photo else message.document  # [-1]: Telegram's largest size
    if upload is None:
        raise drafts.Invalid("poster")
    if message.document is not None and upload.mime_type and not upload.mime_type.startswith("image/"):
        raise drafts.Invalid("poster", "not_image")
    if upload.file_size and upload.file_size > posters.MAX_UPLOAD_BYTES:  # before downloading a byte
        raise drafts.Invalid("poster", "too_big")
    try:
        await context.bot.send_chat_action(message.chat_id, ChatAction.UPLOAD_PHOTO)  # a big upload takes a moment
        data = bytes(await (await context.bot.get_file(upload.file_id)).download_as_bytearray())
    except TelegramError as exc:
        log.info("could not download a poster: %s", exc)
        raise drafts.Invalid("poster", "too_big" if "too big" in str(exc).lower() else "not_image") from None
    try:
        # Decoding and resizing is CPU work; off the event loop, other chats keep being answered.
        processed = await asyncio.get_running_loop().run_in_executor(POSTER_THREADS, posters.process, data)
    except posters.PosterError as exc:
        raise drafts.Invalid("poster", exc.reason, exc.details) from None
    return events.new_poster(processed)


async def apply_answer(update: Update, context: Context, value: drafts.Answer | Poster | None) -> None:
    """Record the answer and show the next question (or the changed event); a wrong one is explained
    and the question asked again, with nothing written."""
    try:
        # Recorded with the update: a webhook retry of this answer must not answer the next question.
        async with context.db.write(update_id=update.update_id) as session:
            draft = await drafts.active(session, update.effective_user.id)
            answered = await manage.answer_draft(session, draft, value, tz=context.settings.timezone)
            if answered.edit is not None and answered.edit.notify:  # told with the change, or not at all
                letters = [(r.user_id, admin_views.changed_letter(r, answered.edit.event)) for r in answered.edit.notify]
                await outbox.notify_attendees(session, outbox.CHANGED, answered.edit.event.id, letters=letters,
                                              update_id=update.update_id, report_to=update.effective_chat.id)
            screens = await draft_screens(context, session, answered.draft) if answered.draft else None
    except drafts.Invalid as exc:
        await present_current(update, context, admin_views.problem_text(context.lang, exc.field, exc.reason, exc.details))
        return
    except DuplicateUpdate:  # Telegram delivered this message again: show where things stand
        await present_current(update, context)
        return
    if answered.edited:
        await after_edit(update, context, answered.edit)
    else:
        await present(update, context, screens or [Screen(t(context.lang, "adm.no_draft"))])


async def after_edit(update: Update, context: Context, result: manage.EditResult | None) -> None:
    """A field of a published event was changed: say so, and whether attendees are being told."""
    if result is None:  # the event was deleted meanwhile
        await present(update, context, [await card_screen(context, 0)])
        return
    if result.notify:  # queued with the change itself; send them now
        context.wake_outbox()
    await show(update, context, await card_screen(context, result.event.id,
                                                  admin_views.edit_notice(context.lang, result)))


async def on_text_answer(update: Update, context: Context) -> None:
    await apply_answer(update, context, answer_from(update.effective_message))


async def on_poster(update: Update, context: Context) -> None:
    try:
        poster = await read_poster(update.effective_message, context)
    except drafts.Invalid as exc:
        notice = admin_views.problem_text(context.lang, "poster", exc.reason, exc.details)
        await present_current(update, context, notice)
        return
    await apply_answer(update, context, poster)


async def on_announcement_text(update: Update, context: Context) -> None:
    """The admin wrote the announcement: keep it (their formatting too) and ask before sending."""
    message, lang = update.effective_message, context.lang
    try:
        # Recorded with the update: Telegram delivering this message again must not ask "send it?" again.
        async with context.db.write(update_id=update.update_id) as session:
            draft = await drafts.get(session, update.effective_user.id, drafts.EDIT)
            written = await manage.write_announcement(session, draft, message.text_html if message.text else None)
    except drafts.Invalid as exc:
        await present_current(update, context, admin_views.problem_text(lang, exc.field, exc.reason, exc.details))
        return
    except DuplicateUpdate:  # the admin was asked the first time; a second prompt would only confuse
        return
    if written.outcome is not Outcome.DONE:
        await send(update.effective_chat.id, context, Screen(t(lang, "adm.not_found")))
        return
    await send(update.effective_chat.id, context,
               admin_views.announcement_confirm(lang, written.event, len(written.recipients), written.text_html))


async def on_preview_message(update: Update, context: Context) -> None:
    await present_current(update, context)  # the preview waits for a button: show it again


READERS = {drafts.Expect.ANSWER: on_text_answer, drafts.Expect.POSTER: on_poster,
           drafts.Expect.ANNOUNCEMENT: on_announcement_text, drafts.Expect.NOTHING: on_preview_message}


async def on_message(update: Update, context: Context) -> None:
    """Any non-command message in a private chat: an answer when an admin has a draft, else the usual reply."""
    draft = None
    if is_admin(update, context):
        async with context.db.read() as session:
            draft = await drafts.active(session, update.effective_user.id)
    if draft is None:
        await fallback.on_other_message(update, context)
        return
    await READERS[drafts.expects(draft)](update, context)
