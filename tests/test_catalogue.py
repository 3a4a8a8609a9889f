"""The catalogue: /events pages, event cards with and without posters, deep links."""
from __future__ import annotations

import random
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.models import Poster
from tests.conftest import future
from tests.helpers import book_seat, past, poster_png, seats_of


def short_date(dt) -> str:
    d = dt.astimezone(ZoneInfo("Asia/Almaty"))
    return f"{d.day} {d:%b}, {d:%H:%M}"


def entry_buttons(message: dict) -> list[dict]:
    return [b for row in message["reply_markup"]["inline_keyboard"] for b in row
            if b.get("callback_data", "").startswith("ev:card:")]


async def test_twelve_events_page_soonest_first_in_one_message(api, user, add_event):
    days = list(range(1, 13))
    random.Random(7).shuffle(days)  # created out of order; shown by date
    starts = {}
    for day in days:
        starts[f"Show {day:02d}"] = future(days=day)
        await add_event(f"Show {day:02d}", hall="2x5", starts_at=starts[f"Show {day:02d}"])
    await add_event("Yesterday's gig", starts_at=past(24))
    await add_event("Called off", status="cancelled")
    alice = user()

    await alice.send("/events")
    first = alice.last()
    assert "page 1 of 3" in alice.screen()
    seen: list[str] = []
    for page in range(3):
        message = alice.last()
        assert message["message_id"] == first["message_id"], "paging must edit the same message"
        assert f"page {page + 1} of 3" in alice.screen()
        entries = entry_buttons(message)
        assert len(entries) == (5 if page < 2 else 2)
        for button in entries:
            date, title, free = button["text"].split(" · ")
            assert date == short_date(starts[title])
            assert free == "10 free"
            seen.append(title)
        if page < 2:
            calls = await alice.tap("▶")
            assert [c.method for c in calls if c.method.startswith(("send", "edit"))] == ["editMessageText"]
    assert not alice.has_button("▶")
    assert seen == [f"Show {d:02d}" for d in range(1, 13)]

    await alice.tap("◀")
    assert "page 2 of 3" in alice.screen()
    assert [b["text"].split(" · ")[1] for b in entry_buttons(alice.last())] == [f"Show {d:02d}" for d in range(6, 11)]
    assert alice.last()["message_id"] == first["message_id"]
    assert len(api.chat(alice.id)) == 1


async def test_list_shows_free_seats_and_sold_out(db, api, user, add_event):
    event = await add_event("Tiny Hall", hall="1x2")
    bob, alice = user(2002, "Bob"), user()
    seats = await seats_of(db, event.id)
    await book_seat(bob, event.id, seats["A1"])
    await alice.send("/events")
    assert alice.button("Tiny Hall")["text"].endswith("· 1 free")
    await book_seat(bob, event.id, seats["A2"])
    await alice.send("/events")
    assert alice.button("Tiny Hall")["text"].endswith("· sold out")
    await alice.tap("Tiny Hall")
    assert "All seats are taken" in alice.screen()
    assert not alice.has_button("Book a seat")


async def test_empty_catalogue(user, add_event):
    await add_event("Long gone", starts_at=past(48))
    alice = user()
    await alice.send("/events")
    assert "no upcoming events" in alice.screen()
    assert not any(b.get("callback_data", "").startswith("ev:card") for b in alice.buttons())


async def test_card_with_poster_uploads_once_then_reuses_file_id(db, api, user, add_event):
    event = await add_event("Opera Gala", poster=poster_png(), description="Arias & duets.")
    alice = user()
    await alice.send("/events")
    calls = await alice.tap("Opera Gala")
    photos = [c for c in calls if c.method == "sendPhoto"]
    assert len(photos) == 1
    assert photos[0].files, "the first showing uploads the poster bytes"
    assert photos[0].files and next(iter(photos[0].files.values()))[:2] == b"\xff\xd8"  # the JPEG card
    card = alice.last()
    assert "photo" in card and "Opera Gala" in card["caption"] and "Arias &amp; duets." in card["caption"]
    assert alice.has_button("Book a seat")
    # The list message was replaced by the photo: the chat holds just the card.
    assert len(api.chat(alice.id)) == 1

    async with db.read() as session:
        file_id = (await session.execute(select(Poster.telegram_file_id))).scalar_one()
    assert file_id == card["photo"][-1]["file_id"]

    # Back to the list (a text message again), and the card once more: no second upload.
    await alice.tap("Back")
    assert "Upcoming events" in alice.screen() and "photo" not in alice.last()
    bob = user(2002, "Bob")
    for who in (alice, bob):
        await who.send("/events")
        calls = await who.tap("Opera Gala")
        photo = [c for c in calls if c.method == "sendPhoto"]
        assert len(photo) == 1
        assert not photo[0].files, "a known poster is sent by file_id, not uploaded again"
        assert photo[0].params["photo"] == file_id
        assert who.last()["photo"][-1]["file_id"] == file_id
    assert sum(1 for c in api.sent("sendPhoto") if c.files) == 1


async def test_card_without_poster_is_text(user, add_event):
    await add_event("Poetry Evening", hall="2x3", price_minor=0, venue_name="Library", venue_address="Main St 1")
    alice = user()
    await alice.send("/events")
    calls = await alice.tap("Poetry Evening")
    assert [c.method for c in calls if c.method != "answerCallbackQuery"] == ["editMessageText"]
    text = alice.screen()
    assert "<b>Poetry Evening</b>" in text
    assert "Library, Main St 1" in text and "Free" in text and "6 of 6 seats free" in text
    assert "#concert" in text
    assert [b["text"] for b in alice.buttons()] == ["💺 Book a seat", "◀ Back", "🔗 Share"]
    share = alice.button("Share")
    assert share["url"].endswith("?start=event_1")


async def test_long_description_caption_fits_and_text_card_keeps_more(api, user, add_event):
    description = ("Lorem ipsum dolor sit amet & <b>bold</b> claims. " * 70)[:3000]
    assert len(description) == 3000
    await add_event("With Poster", poster=poster_png(), description=description)
    await add_event("No Poster", description=description, starts_at=future(days=8))
    alice = user()
    await alice.send("/events")
    await alice.tap("With Poster")
    caption = alice.last()["caption"]
    assert 900 < len(caption) <= 1024, "the description fills the caption, cut to fit"
    assert "Lorem ipsum" in caption and "…" in caption
    assert caption.rstrip().endswith("#concert"), "the category line survives the cut"
    assert "<b>bold</b>" not in caption and "&lt;b&gt;bold&lt;/b&gt;" in caption
    # The cut never leaves half an HTML entity behind.
    body = caption.split("Lorem", 1)[1]
    assert body.count("&") == body.count("&amp;") + body.count("&lt;") + body.count("&gt;")

    await alice.tap("Back")
    await alice.tap("No Poster")
    text = alice.screen()
    assert len(text) <= 4096 and "photo" not in alice.last()
    assert text.count("Lorem ipsum") > caption.count("Lorem ipsum"), "a text card has room for more"


async def test_user_text_is_escaped(api, user, add_event):
    await add_event("<b>Rock</b> & Roll", description="Bring <i>friends</i> & family",
                    venue_name="Club <X>", category="a&b")
    alice = user()
    await alice.send("/events")
    # Button labels are plain text: shown as typed.
    assert alice.button("Rock")["text"].split(" · ")[1] == "<b>Rock</b> & Roll"
    await alice.tap("Rock")
    text = alice.screen()
    assert "<b>&lt;b&gt;Rock&lt;/b&gt; &amp; Roll</b>" in text
    assert "Bring &lt;i&gt;friends&lt;/i&gt; &amp; family" in text
    assert "Club &lt;X&gt;" in text and "#a&amp;b" in text
    await alice.tap("Book a seat")
    assert "&lt;b&gt;Rock&lt;/b&gt; &amp; Roll" in alice.screen()
    await alice.tap("2")
    assert "&lt;b&gt;Rock&lt;/b&gt; &amp; Roll" in alice.screen() and "Club &lt;X&gt;" in alice.screen()
    await alice.tap("Confirm")
    assert "Booked!" in alice.screen() and "&lt;b&gt;Rock&lt;/b&gt; &amp; Roll" in alice.screen()
    await alice.send("/mybookings")
    assert "&lt;b&gt;Rock&lt;/b&gt; &amp; Roll" in alice.screen()
    assert "<b>Rock</b> & Roll" in alice.button("Cancel")["text"]


async def test_poster_card_to_hall_and_back_stays_one_photo_message(api, user, add_event):
    await add_event("Ballet", poster=poster_png(), hall="2x4")
    alice = user()
    await alice.send("/events")
    await alice.tap("Ballet")
    card = alice.last()
    calls = await alice.tap("Book a seat")
    # The poster gives way to the hall's picture in the same message, and comes back on Back.
    assert [c.method for c in calls if c.method != "answerCallbackQuery"] == ["editMessageMedia"]
    assert alice.last()["message_id"] == card["message_id"] and "Pick a seat" in alice.screen()
    await alice.tap("Back")
    assert alice.last()["message_id"] == card["message_id"] and "Pick a seat" not in alice.screen()
    assert "8 of 8 seats free" in alice.screen()
    assert alice.has_button("Book a seat")
    assert len(api.sent("sendPhoto")) == 1


async def test_deep_link_opens_card(user, add_event):
    await add_event("First")
    event = await add_event("Shared Show", starts_at=future(days=9))
    alice = user()
    await alice.send(f"/start event_{event.id}")
    assert "<b>Shared Show</b>" in alice.screen()
    assert alice.has_button("Book a seat")


async def test_deep_link_to_missing_event_lists_events(user, add_event):
    await add_event("Still On")
    alice = user()
    await alice.send("/start event_424242")
    assert "no longer exists" in alice.screen()
    assert alice.has_button("Still On")


async def test_cancelled_and_finished_cards_cannot_be_booked(db, user, add_event):
    cancelled = await add_event("Called Off", status="cancelled")
    started = await add_event("Began", starts_at=past(1))
    alice = user()
    await alice.send(f"/start event_{cancelled.id}")
    assert "has been cancelled" in alice.screen() and not alice.has_button("Book a seat")
    await alice.send(f"/start event_{started.id}")
    assert "already started" in alice.screen() and not alice.has_button("Book a seat")
    # An old "Book a seat" button of the cancelled event shows its card instead of a hall.
    await alice.tap(data=f"st:map:{cancelled.id}:0:0")
    assert "has been cancelled" in alice.screen()


async def test_poster_file_id_of_another_bot_falls_back_to_upload(db, api, user, add_event):
    from sqlalchemy import update

    await add_event("Moved Bot", poster=poster_png())
    async with db.write() as session:
        await session.execute(update(Poster).values(telegram_file_id="file-of-another-bot"))
    alice = user()
    await alice.send("/events")
    calls = await alice.tap("Moved Bot")
    photos = [c for c in calls if c.method == "sendPhoto"]
    assert [bool(c.files) for c in photos] == [False, True], "tried the file_id, then uploaded the bytes"
    assert "photo" in alice.last() and "Moved Bot" in alice.screen()
    async with db.read() as session:
        file_id = (await session.execute(select(Poster.telegram_file_id))).scalar_one()
    assert file_id == alice.last()["photo"][-1]["file_id"], "the working file_id is remembered"


async def test_deep_link_to_a_poster_and_odd_start_arguments(user, add_event):
    event = await add_event("Cinema", poster=poster_png())
    alice = user()
    calls = await alice.send(f"/start event_{event.id}")
    assert [c.method for c in calls] == ["sendPhoto"] and "Cinema" in alice.screen()
    for arg in ("event_", "event_abc", "event_-1", "something"):
        await alice.send(f"/start {arg}")
        assert alice.screen().startswith("Hi, Alice!"), arg
