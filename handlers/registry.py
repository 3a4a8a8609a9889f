"""Every handler, in one ordered place. Group -1 runs first for every update (who is writing);
group 0 holds the journeys; the catch-alls come last within it."""
from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, TypeHandler, filters

from views.admin import WIZARD_ACTIONS
from views.buttons import pattern
from handlers import booking, errors, events, fallback, mybookings, start, users
from handlers.admin import addevent, manage

USER_GROUP = -1
# A command is a new message; an edit of an old one (PTB's CommandHandler takes both by default)
# asks for nothing: re-running /cancel or /addevent because someone fixed a typo would be wrong.
NEW_MESSAGE = filters.UpdateType.MESSAGE


def register(application: Application) -> None:
    application.add_handler(TypeHandler(Update, users.remember_user), group=USER_GROUP)
    handlers = [
        CommandHandler("start", start.on_start, filters=NEW_MESSAGE),
        CommandHandler("help", start.on_help, filters=NEW_MESSAGE),
        CommandHandler("language", start.on_language, filters=NEW_MESSAGE),
        CommandHandler("events", events.on_events, filters=NEW_MESSAGE),
        CommandHandler("mybookings", mybookings.on_mybookings, filters=NEW_MESSAGE),
        CallbackQueryHandler(start.on_menu, pattern=pattern("menu")),
        CallbackQueryHandler(start.on_language_tap, pattern=pattern("lang")),
        CallbackQueryHandler(events.on_events_page, pattern=pattern("ev", "list")),
        CallbackQueryHandler(events.on_card, pattern=pattern("ev", "card")),
        CallbackQueryHandler(booking.on_map, pattern=pattern("st", "map")),
        CallbackQueryHandler(booking.on_pick, pattern=pattern("st", "pick")),
        CallbackQueryHandler(booking.on_best, pattern=pattern("st", "best")),
        CallbackQueryHandler(booking.on_taken_seat, pattern=pattern("st", "taken")),
        CallbackQueryHandler(booking.on_noop, pattern=pattern("st", "noop")),
        CallbackQueryHandler(booking.on_book, pattern=pattern("bk", "ok")),
        CallbackQueryHandler(mybookings.on_page, pattern=pattern("my", "list")),
        CallbackQueryHandler(mybookings.on_ask_cancel, pattern=pattern("my", "ask")),
        CallbackQueryHandler(mybookings.on_cancel, pattern=pattern("my", "cancel")),
        # Organisers. Each handler checks ADMIN_IDS itself; non-admins get the catch-all answers.
        # Private chats only: the wizard's answers are read there, and attendee lists stay out of groups.
        CommandHandler("addevent", addevent.on_addevent, filters=filters.ChatType.PRIVATE & NEW_MESSAGE),
        CommandHandler("myevents", manage.on_myevents, filters=filters.ChatType.PRIVATE & NEW_MESSAGE),
        CommandHandler("cancel", addevent.on_cancel, filters=filters.ChatType.PRIVATE & NEW_MESSAGE),
        CallbackQueryHandler(addevent.on_button, pattern=rf"^adm:({'|'.join(WIZARD_ACTIONS)})(:|$)"),
        CallbackQueryHandler(manage.on_button, pattern=pattern("adm")),
        # An admin's answer to the wizard (the draft is in the database); anyone else's message
        # falls through to the usual reply.
        MessageHandler(filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.UpdateType.EDITED, addevent.on_message),
        # Catch-alls: anything not matched above.
        MessageHandler(filters.COMMAND & NEW_MESSAGE, fallback.on_unknown_command),
        MessageHandler(filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED, fallback.on_other_message),
        CallbackQueryHandler(fallback.on_stale_button),
    ]
    application.add_handlers(handlers, group=0)
    application.add_error_handler(errors.on_error)
