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
    "cmd.settings": "Language, my data, forget me",
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
        "1. /events — upcoming events, soonest first; narrow them to today, the weekend, a category or free "
        "entry. Tap one to see its poster and details. Or just type a word (a title, a venue) to search.\n"
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
    # Filters and search
    "cmd.search": "Find an event by a word",
    "btn.f.today": "Today",
    "btn.f.weekend": "Weekend",
    "btn.f.week": "This week",
    "btn.f.free": "Free",
    "btn.f.on": "✓ {label}",
    "btn.f.category": "🏷 {category}",
    "btn.all_events": "🎟 All events",
    "cat.all": "All categories",
    "filter.today": "today",
    "filter.weekend": "this weekend",
    "filter.week": "this week",
    "filter.free": "free entry",
    "events.filter": "Showing: {filter}",
    "events.none_match": "No upcoming events match this filter ({filter}). Try another, or see all events.",
    "events.pick_category": "Which kind of event?",
    "search.title": "🔎 <b>Found for «{query}»</b>: {count} (page {page} of {pages})\n\nTap an event to see the details.",
    "search.none": "🔎 Nothing found for «{query}». Try another word, or browse all events.",
    "search.prompt": "What are you looking for? Type a word, e.g. <code>jazz</code>, or send <code>/search jazz</code>.",
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
    "seats.map.stage": "STAGE",
    "seats.map.free": "free",
    "seats.map.taken": "taken",
    "seats.map.mine": "your seats",
    "seats.map.picked": "your pick",
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
    "limit": "You've reached the limit for this event: one person can book {limit} (see /mybookings).",
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
    # The operators' chat (OPERATOR_CHAT_ID), in the default language
    "ops.error": "⚠️ <b>{error}</b> at <code>{where}</code>",
    "ops.update": "Update {update_id} · chat {chat_id} · user {user_id}",
    "ops.command": "Command: <code>{text}</code>",
    "ops.button": "Button: <code>{data}</code>",
    "ops.message": "Message: {kind}",
    "ops.other": "Update type: {kind}",
    "ops.no_update": "Not while handling an update (a background job).",
    "ops.suppressed": "Not reported since the last report of this error: {count} more.",
    # Admin
    "adm.step": "Step {n} of {total}.",
    "adm.cancel_hint": "/cancel — stop; nothing is saved.",
    "adm.resumed": "You have an event draft under way; let's carry on where you were.",
    "adm.ask.title": "What is the event called?\nExample: <code>Jazz Night: Almaty Quartet</code>",
    "adm.ask.description": (
        "Describe the event in a few sentences: who performs, what to expect.\n"
        "Example: <code>An evening of standards and new pieces. Doors open at 18:30.</code>"
    ),
    "adm.ask.category": "Pick a category (or type one: {categories}).",
    "adm.ask.when": (
        "When does it start? Date and time, {zone} time.\n"
        "Example: <code>25.12.2026 19:00</code> or <code>2026-12-25 19:00</code>"
    ),
    "adm.ask.venue": (
        "Where is it? Send the venue's name.\nExample: <code>Jazz Club Rhapsody</code>\n"
        "Or share a place (📎 → Location → a venue) and I'll take its name and address."
    ),
    "adm.ask.address": (
        "The venue's address?\nExample: <code>Abay Ave 43, Almaty</code>\n"
        "A location pin (📎 → Location) works too."
    ),
    "adm.ask.hall": (
        "The hall: rows x seats, or the seats in each row.\n"
        "Example: <code>10x12</code> (10 rows of 12) or <code>A:10 B:12 C:14</code>\n"
        "At most {rows} rows, {seats} seats in a row, {total} seats in all."
    ),
    "adm.ask.price": (
        "The ticket price and currency ({currencies}); 0 for free.\n"
        "Example: <code>5000 KZT</code>, <code>12.50 USD</code> or <code>0</code>"
    ),
    "adm.ask.poster": (
        "Last one: the poster. Send it as a photo or as an image file (JPEG, PNG, WebP; up to 20 MB, "
        "at least {min_side} px on the short side)."
    ),
    "adm.bad.title": "❗ The title should be text, up to {limit} characters.",
    "adm.bad.description": "❗ The description should be text, up to {limit} characters.",
    "adm.bad.category": "❗ Please pick one of the categories with the buttons.",
    "adm.bad.when": "❗ I couldn't read that as a date and time. Write it like <code>25.12.2026 19:00</code>.",
    "adm.bad.when_past": "❗ That moment has already passed; the event must be in the future.",
    "adm.bad.when_far": "❗ That is more than three years away; please check the year.",
    "adm.bad.when_gap": (
        "❗ There is no {time} on {day} {month} {year} in {zone}: the clocks jump forward that night. "
        "Please pick another time."
    ),
    "adm.bad.venue": "❗ The venue's name should be text, up to {limit} characters.",
    "adm.bad.address": "❗ Send the address as text (up to {limit} characters) or a location pin.",
    "adm.bad.hall": "❗ I couldn't build a hall from that ({reason}). Write it like <code>10x12</code> or <code>A:10 B:12</code>.",
    "hall.empty": "nothing written",
    "hall.unreadable": "can't read “{part}”",
    "hall.repeated": "a row label is used twice",
    "hall.ambiguous": "row labels like 1 and 11 would give two seats the same name",
    "hall.rows": "between 1 and {rows} rows",
    "hall.seats": "between 1 and {seats} seats in a row",
    "hall.total": "at most {total} seats in all",
    "adm.bad.hall_booked": "❗ Seats of this event are booked, so the hall can't change.",
    "adm.bad.price": "❗ Write the price as a number with an optional currency, like <code>5000 KZT</code>; 0 for free.",
    "adm.bad.price_currency": "❗ I take prices in {currencies}.",
    "adm.bad.poster": "❗ I need a picture here: send a photo or an image file.",
    "adm.bad.poster_too_big": "❗ That file is over 20 MB. Please send a smaller picture.",
    "adm.bad.poster_not_image": "❗ That file isn't a picture I can read (or it is damaged). Send a JPEG, PNG or WebP.",
    "adm.bad.poster_too_many_pixels": "❗ That picture is too large in pixels (over {megapixels} megapixels).",
    "adm.bad.poster_too_small": "❗ That picture is too small; it needs at least {min_side} px on the short side.",
    "adm.bad.poster_too_big_to_open": (
        "❗ That picture is too big for me to open: {width}×{height} pixels would take about {needed} MB of "
        "memory (the limit is {limit} MB). Send it as a photo rather than a file, or a smaller version "
        "(up to about {megapixels} megapixels for this kind of file)."
    ),
    "adm.bad.poster_bad_shape": "❗ That picture is too long and thin for Telegram (more than 20:1). Please crop it.",
    "adm.bad.announce": "❗ Write the announcement as a text message.",
    "adm.bad.announce_long": (
        "❗ That announcement is {length} characters long with its formatting; the limit is {limit}. "
        "Please shorten it and send it again."
    ),
    "adm.bad.invisible": "❗ {field}: there are only invisible characters in that. Please write it in words.",
    "adm.btn.skip_poster": "➡ No poster",
    "adm.btn.publish": "✅ Publish",
    "adm.btn.edit": "✏️ Edit",
    "adm.btn.discard": "🗑 Discard",
    "adm.preview": "👀 <b>Preview.</b> This is the card exactly as attendees will see it. Publish it, change a field, or discard it.",
    "adm.edit.choose": "Which field do you want to change?",
    "adm.field.title": "Title",
    "adm.field.description": "Description",
    "adm.field.category": "Category",
    "adm.field.when": "Date and time",
    "adm.field.venue": "Venue",
    "adm.field.address": "Address",
    "adm.field.hall": "Hall",
    "adm.field.price": "Price",
    "adm.field.poster": "Poster",
    "cat.concert": "🎵 Concert",
    "cat.theatre": "🎭 Theatre",
    "cat.comedy": "😂 Comedy",
    "cat.cinema": "🎬 Cinema",
    "cat.tech": "💻 Tech",
    "cat.kids": "🧸 Kids",
    "cat.sport": "⚽ Sport",
    "cat.other": "✨ Other",
    "adm.published": "🎉 <b>Published!</b> <b>{title}</b> is in /events now.\nShare it: {link}",
    "adm.discarded": "🗑 Draft discarded. Nothing was saved.",
    "adm.cancelled": "Stopped. Nothing was saved.",
    "adm.edit_cancelled": "Stopped. The event is as it was.",
    "adm.nothing_to_cancel": "There is nothing to cancel.",
    "adm.no_draft": "This draft is no longer there. /addevent starts a new one.",
    # Admin: managing events
    "adm.list.title": "🗂 <b>Your events</b> ({count}), page {page} of {pages}.\nTap one to manage it.",
    "adm.list.empty": "You have no events yet. /addevent creates one.",
    "adm.list.entry": "{mark}{date} · {title} · {sold}/{total}",
    "adm.btn.new": "➕ New event",
    "adm.card.stats": "🎫 Booked: <b>{sold}</b> of {total} seats",
    "adm.card.cancelled": "❌ Cancelled",
    "adm.card.past": "⏱ Already started",
    "adm.btn.change": "✏️ Edit a field",
    "adm.btn.attendees": "👥 Attendees",
    "adm.btn.csv": "📄 CSV",
    "adm.btn.announce": "📣 Message attendees",
    "adm.btn.cancel_event": "❌ Cancel event",
    "adm.btn.delete": "🗑 Delete",
    "adm.btn.list": "◀ My events",
    "adm.btn.card": "◀ Event",
    "adm.btn.yes_cancel": "Yes, cancel the event",
    "adm.btn.yes_delete": "Yes, delete it",
    "adm.btn.no": "No, go back",
    "adm.btn.send": "📣 Send",
    "adm.edit.ask": "✏️ <b>{title}</b>: {field}.",
    "adm.edit.saved": "✅ Saved.",
    "adm.edit.notified": "✅ Saved. {count} attendee(s) are being told about the change.",
    "adm.cancel_event.ask": (
        "Cancel <b>{title}</b> ({when})?\n\n{count} active booking(s) will be cancelled and each attendee "
        "will get a message. This can't be undone."
    ),
    "adm.cancel_event.done": "❌ Event cancelled: {bookings} booking(s) cancelled; telling {people} attendee(s).",
    "adm.cancel_event.already": "This event is already cancelled.",
    "adm.cancel_event.past": "This event has already started; it can't be cancelled.",
    "adm.delete.ask": "Delete <b>{title}</b> for good? Nobody has booked it.",
    "adm.delete.done": "🗑 Deleted.",
    "adm.delete.booked": "People have booked this event, so it can't be deleted. Cancel it instead.",
    "adm.not_found": "This event no longer exists.",
    "adm.att.title": "👥 <b>{title}</b>: {count} booked seat(s), page {page} of {pages}",
    "adm.att.entry": "{seat} · {name}{username} · <code>{user_id}</code>",
    "adm.att.empty": "👥 <b>{title}</b>: nobody has booked yet.",
    "adm.csv.caption": "📄 Bookings of <b>{title}</b>: {count}",
    "adm.ann.ask": "📣 Write the message for the {count} attendee(s) of <b>{title}</b>. /cancel to stop.",
    "adm.ann.confirm": "📣 This goes to {count} attendee(s) of <b>{title}</b>:\n\n{text}",
    "adm.ann.sending": "📣 Sending to {count} attendee(s)…",
    "adm.ann.none": "Nobody holds a seat for this event; there is no one to tell.",
    "adm.delivered": "📬 Delivered: {sent} of {count}.",
    # Messages to attendees from the organiser
    "notify.cancelled": (
        "❌ <b>{title}</b> ({when}) has been cancelled by the organiser.\n"
        "Your booking (seat {seats}) is cancelled. Sorry for the trouble."
    ),
    "notify.changed": (
        "🔔 <b>{title}</b> has changed. Please check:\n🗓 {when}\n📍 {venue}\n💺 Your seat: {seats}"
    ),
    "notify.announcement": "📣 <b>{title}</b>\n\n{text}",
    # Settings and one's own data (/settings, /mydata, /forgetme)
    "settings.title": (
        "⚙️ <b>Settings</b>\n\n"
        "🌐 <b>Language</b> — Russian or English\n"
        "📦 <b>My data</b> — a file with everything the bot keeps about you\n"
        "🗑 <b>Forget me</b> — erase your data and cancel your upcoming bookings"
    ),
    "btn.settings": "⚙️ Settings",
    "btn.mydata": "📦 My data",
    "btn.forget": "🗑 Forget me",
    "mydata.caption": (
        "📦 Everything the bot keeps about you: your account, {bookings} booking(s), {drafts} draft(s), "
        "{events} event(s) you created and {notices} message(s) to you."
    ),
    "mydata.nothing": "The bot keeps nothing about you.",
    "forget.ask": (
        "🗑 <b>Forget me?</b>\n\n"
        "Your {upcoming} upcoming booking(s) will be cancelled and the seats freed; each organiser is told "
        "that a seat is free again, without your name. Your name and username are erased, and so are your "
        "drafts and messages waiting for you. Past bookings stay in the organisers' records, without your "
        "name.\n\nThis can't be undone."
    ),
    "btn.forget_yes": "Yes, forget me",
    "btn.forget_no": "No, keep my data",
    "forget.done": (
        "Done: the bot has forgotten you. {cancelled} upcoming booking(s) cancelled; {kept} past booking(s) "
        "kept without your name.\n\nIf you write again (/start), you start afresh as a new user."
    ),
    "forget.again": "This was already done: the bot has forgotten you.",
    "notify.forgotten": (
        "🔔 <b>{title}</b> ({when}): an attendee left the bot and cancelled their booking. "
        "Seat(s) {seats} free again."
    ),
}
