"""English texts. HTML is allowed (the bot sends with parse_mode=HTML); values are escaped before use."""

TEXTS: dict[str, str] = {
    # Calendar words
    "weekdays": "Mon,Tue,Wed,Thu,Fri,Sat,Sun",
    "months": "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec",
    "datetime": "{weekday}, {day} {month} {year}, {time}",
    "date_short": "{day} {month}, {time}",
    # Commands in the menu
    "cmd.start": "Main menu",
    "cmd.events": "Upcoming events",
    "cmd.mybookings": "My bookings",
    "cmd.language": "Change language",
    "cmd.help": "How it works",
    "cmd.cancel": "Stop what I'm doing",
    "cmd.addevent": "Admin: add an event",
    "cmd.myevents": "Admin: manage events",
    # Start and help
    "start.welcome": (
        "Hi, {name}! 👋\n\n"
        "I help you find events in town, pick a seat and book it in a couple of taps.\n\n"
        "🎟 <b>Events</b> — what's on soon\n"
        "📋 <b>My bookings</b> — your seats, and cancel if plans change"
    ),
    "help": (
        "<b>How it works</b>\n\n"
        "1. /events — upcoming events, soonest first. Tap one to see its poster and details.\n"
        "2. <b>Book a seat</b> shows the hall: numbers are free seats, {taken} is taken. "
        "Tap a seat (or <b>Best available</b>) and confirm.\n"
        "3. /mybookings — your upcoming seats; cancel one and it's free for others at once.\n\n"
        "You can book up to {limit} seats per event.\n"
        "/language — switch language. /start — main menu."
    ),
    "btn.events": "🎟 Events",
    "btn.mybookings": "📋 My bookings",
    "btn.help": "❓ Help",
    "btn.language": "🌐 Язык / Language",
    "btn.menu": "🏠 Menu",
    "btn.back": "◀ Back",
    "btn.prev": "◀",
    "btn.next": "▶",
    "btn.up": "▲ Rows {rows}",
    "btn.down": "▼ Rows {rows}",
    "btn.left": "◀ Seats {seats}",
    "btn.right": "Seats {seats} ▶",
    "unknown_command": "I don't know that command. Try /events, /mybookings or /help.",
    "unknown_text": "I answer to buttons and commands. Try /events to see what's on.",
    "language.choose": "Choose your language:",
    "language.set": "Done! I'll speak English with you.",
    # Catalogue
    "events.title": "🎟 <b>Upcoming events</b> (page {page} of {pages})\n\nTap an event to see the details.",
    "events.empty": "There are no upcoming events yet. Check back soon!",
    "events.entry": "{date} · {title} · {free}",
    "free_short": "{free} free",
    "sold_out": "sold out",
    # Event card
    "card": (
        "<b>{title}</b>\n"
        "🗓 {when}\n"
        "📍 {venue}\n"
        "💳 {price}\n"
        "💺 {free} of {total} seats free\n\n"
        "{description}"
    ),
    "card.category": "#{category}",
    "card.cancelled": "❌ <b>This event has been cancelled.</b>",
    "card.finished": "This event has already started.",
    "card.sold_out": "😔 All seats are taken.",
    "price.free": "Free",
    "btn.book": "💺 Book a seat",
    "btn.soldout": "😔 Sold out",
    "btn.share": "🔗 Share",
    # Seats
    "seats.prompt": (
        "<b>{title}</b>\n🗓 {when}\n\n"
        "Pick a seat: numbers are free seats, {taken} is taken.\n"
        "💺 {free} of {total} free"
    ),
    "seats.part": "Rows {rows}, seats {seats}",
    "seats.none_free": "😔 No free seats left for this event.",
    "btn.best": "⭐ Best available",
    "seat.taken_alert": "This seat is taken. Pick a number.",
    # Confirmation and result
    "confirm": (
        "Please confirm your booking:\n\n"
        "<b>{title}</b>\n"
        "🗓 {when}\n"
        "📍 {venue}\n"
        "💺 Seat <b>{seat}</b> (row {row}, seat {number})\n"
        "💳 {price}"
    ),
    "btn.confirm": "✅ Confirm",
    "btn.other_seat": "↩ Another seat",
    "booked": (
        "🎉 <b>Booked!</b>\n\n"
        "<b>{title}</b>\n"
        "🗓 {when}\n"
        "📍 {venue}\n"
        "💺 Seat <b>{seat}</b>\n"
        "💳 {price}\n\n"
        "Your seats are in /mybookings."
    ),
    "btn.book_more": "💺 Book another seat",
    "taken": "😔 Sorry, seat <b>{seat}</b> was taken a moment ago. Here is the hall as it is now:",
    "taken_alert": "Seat {seat} was just taken",
    "already_yours": "Seat <b>{seat}</b> is already yours. 🙂",
    "limit": "You already have {limit} seats for this event, the most one person can book.",
    "closed": "Booking for this event is closed.",
    "stale": "This button is out of date. Here is a fresh view.",
    "stale_alert": "This button is out of date",
    # My bookings
    "my.title": "📋 <b>My bookings</b> ({count})\n",
    "my.entry": "<b>{title}</b>\n🗓 {when} · 📍 {venue}\n💺 Seat <b>{seat}</b>",
    "my.empty": "You have no upcoming bookings. Find something in /events!",
    "btn.cancel_booking": "❌ Cancel {seat} · {title}",
    "cancel.ask": "Cancel your booking?\n\n<b>{title}</b>\n🗓 {when}\n💺 Seat <b>{seat}</b>",
    "btn.cancel_yes": "Yes, cancel it",
    "btn.cancel_no": "No, keep it",
    "cancel.done": "Booking cancelled: seat <b>{seat}</b> for <b>{title}</b> is free again.",
    "cancel.done_alert": "Cancelled",
    "cancel.past": "This event has already started; the booking can't be cancelled.",
    "cancel.not_found": "This booking no longer exists.",
    "cancel.already": "This booking was already cancelled.",
    # Errors
    "error": "Sorry, something went wrong on our side. Please try again in a moment.",
    "not_found": "This event no longer exists.",
}
