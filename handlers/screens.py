"""Putting a Screen in the chat: edit the tapped message in place when we can, send when we must."""
from __future__ import annotations

import logging

from telegram import InputMediaPhoto, Message, Update
from telegram.error import BadRequest, NetworkError

from handlers.context import Context
from views.screen import Screen
from db.events import poster_bytes, remember_poster_file_id
from db.seatmaps import remember_seat_map_file_id, seat_map_png

log = logging.getLogger(__name__)


def _not_modified(exc: BadRequest) -> bool:
    return "not modified" in exc.message.lower()


async def show(update: Update, context: Context, screen: Screen) -> Message | None:
    """Replace the tapped message with the screen, or send it when there is nothing to replace."""
    query = update.callback_query
    message = query.message if query else None
    if not isinstance(message, Message):  # a command, or a message too old for the bot to see
        return await send(update.effective_chat.id, context, screen)

    has_photo = bool(message.photo)
    try:
        if screen.photo is not None and has_photo and not _shows(message, screen.photo):
            # Another picture (the hall after the poster, the hall as it is now): replace the media.
            media = InputMediaPhoto(screen.photo, caption=screen.text)
            result = await _edit_retrying(lambda: message.edit_media(media, reply_markup=screen.markup))
            if isinstance(result, Message):
                await _remember_file_id(context, screen, result)
            return result if isinstance(result, Message) else message
        if screen.photo is not None and has_photo or (
            screen.photo is None and has_photo and screen.fits_caption and len(screen.text) <= 1024
        ):
            result = await _edit_retrying(lambda: message.edit_caption(caption=screen.text, reply_markup=screen.markup))
            return result if isinstance(result, Message) else message
        if screen.photo is None and not has_photo:
            result = await _edit_retrying(lambda: message.edit_text(screen.text, reply_markup=screen.markup))
            return result if isinstance(result, Message) else message
    except BadRequest as exc:
        if _not_modified(exc):
            return message
        log.info("could not edit message %s (%s); sending a new one", message.message_id, exc.message)
    # A text message can't become a photo (or back): replace it with a new one.
    try:
        await message.delete()
    except BadRequest as exc:
        log.info("could not delete message %s: %s", message.message_id, exc.message)
    return await send(message.chat_id, context, screen)


def _shows(message: Message, photo: str | bytes) -> bool:
    """The message already shows this picture (sent by this file_id). A file_id Telegram spells
    differently only costs an edit that Telegram answers "not modified"."""
    return isinstance(photo, str) and any(size.file_id == photo for size in message.photo)


async def _remember_file_id(context: Context, screen: Screen, sent: Message) -> None:
    """Once Telegram has a picture we uploaded, keep its file_id to send instead of the bytes."""
    if not isinstance(screen.photo, bytes) or not sent.photo:
        return
    file_id = sent.photo[-1].file_id
    if screen.poster_id is not None:
        async with context.db.write() as session:
            await remember_poster_file_id(session, screen.poster_id, file_id)
    elif screen.seat_map is not None:
        async with context.db.write() as session:
            await remember_seat_map_file_id(session, screen.seat_map, file_id)


async def present(update: Update, context: Context, screens: list[Screen]) -> None:
    """Several messages (a notice, then a preview): the first in place of the tapped message when
    there is one, the rest sent after it."""
    first, *rest = screens
    await show(update, context, first)
    for screen in rest:
        await send(update.effective_chat.id, context, screen)


async def _edit_retrying(edit):
    """An edit is idempotent, so one that timed out or met a 5xx is simply tried again once;
    if the first did land, the second reports 'not modified', which show() treats as done."""
    try:
        return await edit()
    except NetworkError as exc:
        if isinstance(exc, BadRequest):
            raise
        log.warning("editing a message failed (%s); trying once more", exc.message)
        return await edit()


async def send(chat_id: int, context: Context, screen: Screen) -> Message:
    if screen.photo is None:
        return await context.bot.send_message(chat_id, screen.text, reply_markup=screen.markup)
    photo = screen.photo
    try:
        sent = await context.bot.send_photo(chat_id, photo, caption=screen.text, reply_markup=screen.markup)
    except BadRequest:
        if not isinstance(photo, str) or (screen.poster_id is None and screen.seat_map is None):
            raise
        # The remembered file_id is not valid for this bot (another token, another Bot API server).
        async with context.db.read() as session:
            if screen.poster_id is not None:
                photo = await poster_bytes(session, screen.poster_id)
            else:
                photo = await seat_map_png(session, screen.seat_map)
        if photo is None:
            raise
        screen.photo = photo
        sent = await context.bot.send_photo(chat_id, photo, caption=screen.text, reply_markup=screen.markup)
    await _remember_file_id(context, screen, sent)
    return sent
