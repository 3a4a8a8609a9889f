"""Every handler, in one ordered place. Group -1 runs first for every update (who is writing);
group 0 holds the journeys; the catch-alls come last within it. Each kind of button (views/buttons.py)
is routed to exactly one handler, straight from its type."""
from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, TypeHandler, filters

from handlers import booking, errors, events, fallback, mybookings, privacy, search, start, users
from handlers.admin import addevent, answers, manage
from views import buttons

USER_GROUP = -1
# A command is a new message; an edit of an old one (PTB's CommandHandler takes both by default)
# asks for nothing: re-running /cancel or /addevent because someone fixed a typo would be wrong.
NEW_MESSAGE = filters.UpdateType.MESSAGE
# Organisers work in private chats only: the wizard's answers are read there, and attendee lists
# stay out of groups. Each admin handler checks ADMIN_IDS itself; others get the catch-all answers.
PRIVATE = filters.ChatType.PRIVATE

TAPS: dict[type[buttons.ButtonData], object] = {
    buttons.MainMenu: start.on_main_menu,
    buttons.HelpMenu: start.on_help_menu,
    buttons.LanguageMenu: start.on_language_menu,
    buttons.LanguagePick: start.on_language_pick,
    buttons.EventsPage: events.on_events_page,
    buttons.EventCard: events.on_card,
    buttons.EventCategories: events.on_categories,
    buttons.SearchPage: search.on_page,
    buttons.SearchCard: search.on_card,
    buttons.SeatMap: booking.on_map,
    buttons.SeatPick: booking.on_pick,
    buttons.BestSeat: booking.on_best,
    buttons.TakenSeat: booking.on_taken_seat,
    buttons.Noop: booking.on_noop,
    buttons.ConfirmBooking: booking.on_book,
    buttons.MyBookingsPage: mybookings.on_page,
    buttons.AskCancelBooking: mybookings.on_ask_cancel,
    buttons.CancelBooking: mybookings.on_cancel,
    buttons.SettingsMenu: privacy.on_settings_menu,
    buttons.MyData: privacy.on_mydata_tap,
    buttons.AskForget: privacy.on_ask_forget,
    buttons.Forget: privacy.on_forget,
    # The /addevent draft
    buttons.NewEvent: addevent.on_new_event,
    buttons.PickCategory: addevent.on_category,
    buttons.SkipPoster: addevent.on_skip_poster,
    buttons.PublishDraft: addevent.on_publish,
    buttons.EditDraft: addevent.on_edit,
    buttons.EditDraftField: addevent.on_edit_field,
    buttons.BackToPreview: addevent.on_back_to_preview,
    buttons.DiscardDraft: addevent.on_discard,
    # Published events
    buttons.AdminEventsPage: manage.on_events_page,
    buttons.AdminCard: manage.on_card,
    buttons.ChooseEventField: manage.on_choose_field,
    buttons.ChangeEventField: manage.on_change_field,
    buttons.AskCancelEvent: manage.on_ask_cancel,
    buttons.CancelEvent: manage.on_cancel_event,
    buttons.AskDeleteEvent: manage.on_ask_delete,
    buttons.DeleteEvent: manage.on_delete,
    buttons.AttendeesPage: manage.on_attendees,
    buttons.AttendeesCsv: manage.on_csv,
    buttons.StartAnnouncement: manage.on_start_announcement,
    buttons.SendAnnouncement: manage.on_send_announcement,
}


def register(application: Application) -> None:
    missing = set(buttons.all_types()) - set(TAPS)
    if missing:  # a button nobody answers would only ever say "out of date"
        raise RuntimeError(f"no handler for {sorted(t.__name__ for t in missing)}")
    application.add_handler(TypeHandler(Update, users.remember_user), group=USER_GROUP)
    handlers = [
        CommandHandler("start", start.on_start, filters=NEW_MESSAGE),
        CommandHandler("help", start.on_help, filters=NEW_MESSAGE),
        CommandHandler("language", start.on_language, filters=NEW_MESSAGE),
        CommandHandler("events", events.on_events, filters=NEW_MESSAGE),
        CommandHandler("search", search.on_search, filters=NEW_MESSAGE),
        CommandHandler("mybookings", mybookings.on_mybookings, filters=NEW_MESSAGE),
        # One's own data is shown and erased in the private chat only, never in a group.
        CommandHandler("settings", privacy.on_settings, filters=PRIVATE & NEW_MESSAGE),
        CommandHandler("mydata", privacy.on_mydata, filters=PRIVATE & NEW_MESSAGE),
        CommandHandler("forgetme", privacy.on_forgetme, filters=PRIVATE & NEW_MESSAGE),
        CommandHandler("addevent", addevent.on_addevent, filters=PRIVATE & NEW_MESSAGE),
        CommandHandler("myevents", manage.on_myevents, filters=PRIVATE & NEW_MESSAGE),
        CommandHandler("cancel", addevent.on_cancel, filters=PRIVATE & NEW_MESSAGE),
        *(CallbackQueryHandler(handler, pattern=button.matches) for button, handler in TAPS.items()),
        # An admin's answer to their draft (the draft is in the database); anyone else's message
        # falls through to the usual reply: a search for text, else a hint.
        MessageHandler(PRIVATE & ~filters.COMMAND & ~filters.UpdateType.EDITED, answers.on_message),
        # Catch-alls: anything not matched above.
        MessageHandler(filters.COMMAND & NEW_MESSAGE, fallback.on_unknown_command),
        MessageHandler(PRIVATE & ~filters.UpdateType.EDITED, fallback.on_other_message),
        CallbackQueryHandler(fallback.on_stale_button),
    ]
    application.add_handlers(handlers, group=0)
    application.add_error_handler(errors.on_error)
