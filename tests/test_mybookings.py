"""/mybookings: the list, cancelling with a confirmation, and what can't be cancelled."""
from __future__ import annotations

from tests.conftest import future
from tests.driver import answers
from tests.helpers import active_bookings, all_bookings, book_seat, booking_ids, hall, move_event, past, seats_of


async def test_no_bookings(user, add_event):
    await add_event("Something")
    alice = user()
    await alice.send("/mybookings")
    assert "no upcoming bookings" in alice.screen()
    assert [b["text"] for b in alice.buttons()] == ["🎟 Events", "🏠 Menu"]


async def test_list_soonest_first_with_cancel_buttons(db, user, add_event):
    later = await add_event("Later Gig", starts_at=future(days=10))
    sooner = await add_event("Sooner Gig", starts_at=future(days=2))
    later_seats, sooner_seats = await seats_of(db, later.id), await seats_of(db, sooner.id)
    alice = user()
    await book_seat(alice, later.id, later_seats["C5"])
    await book_seat(alice, sooner.id, sooner_seats["A1"])
    await book_seat(alice, sooner.id, sooner_seats["A2"])
    await alice.send("/mybookings")
    text = alice.screen()
    assert "My bookings</b> (3)" in text
    assert text.index("Sooner Gig") < text.index("Later Gig")
    assert "Seat <b>A1</b>" in text and "Seat <b>A2</b>" in text and "Seat <b>C5</b>" in text
    cancels = [b["text"] for b in alice.buttons() if b["callback_data"].startswith("my:ask:")]
    assert cancels == ["❌ Cancel A1 · Sooner Gig", "❌ Cancel A2 · Sooner Gig", "❌ Cancel C5 · Later Gig"]
    # Someone else's bookings are not in Alice's list.
    bob = user(2002, "Bob")
    await book_seat(bob, sooner.id, sooner_seats["B1"])
    await alice.send("/mybookings")
    assert "B1" not in alice.screen() and "(3)" in alice.screen()


async def test_bookings_list_pages(db, user, add_event):
    alice = user()
    for i in range(2):
        event = await add_event(f"Night {i}", starts_at=future(days=3 + i))
        seats = await seats_of(db, event.id)
        for label in ("A1", "A2", "A3", "A4"):
            await book_seat(alice, event.id, seats[label])
    await alice.send("/mybookings")
    first = alice.last()
    assert "(8)" in alice.screen()
    assert len([b for b in alice.buttons() if b["callback_data"].startswith("my:ask:")]) == 5
    await alice.tap("▶")
    assert alice.last()["message_id"] == first["message_id"]
    assert len([b for b in alice.buttons() if b["callback_data"].startswith("my:ask:")]) == 3
    assert "Night 1" in alice.screen() and "2/2" in [b["text"] for b in alice.buttons()]


async def test_cancel_asks_first_then_frees_the_seat_at_once(db, api, user, add_event):
    event = await add_event("Comedy", hall="1x3")
    seats = await seats_of(db, event.id)
    alice, bob = user(), user(2002, "Bob")
    await book_seat(alice, event.id, seats["A2"])
    await alice.send("/mybookings")
    listing = alice.last()
    await alice.tap("Cancel A2")
    assert "Cancel your booking?" in alice.screen() and "Seat <b>A2</b>" in alice.screen()
    assert [b["text"] for b in alice.buttons()] == ["Yes, cancel it", "No, keep it"]
    assert alice.last()["message_id"] == listing["message_id"]

    await alice.tap("No, keep it")
    assert "My bookings</b> (1)" in alice.screen()
    assert len(await active_bookings(db, event.id)) == 1

    await alice.tap("Cancel A2")
    calls = await alice.tap("Yes, cancel it")
    assert answers(calls)[0].params.get("text") == "Cancelled"
    assert "Booking cancelled: seat <b>A2</b> for <b>Comedy</b> is free again." in alice.screen()
    assert "no upcoming bookings" in alice.screen()
    assert not await active_bookings(db, event.id)
    assert [row[3] for row in await all_bookings(db)] == ["cancelled"]

    # Bob sees it free and gets it straight away.
    await bob.send(f"/start event_{event.id}")
    assert "3 of 3 seats free" in bob.screen()
    await bob.tap("Book a seat")
    assert "A2" in hall(bob.last())[0]
    await bob.tap(data=hall(bob.last())[0]["A2"])
    await bob.tap("Confirm")
    assert "Booked!" in bob.screen()
    assert await active_bookings(db, event.id) == [(bob.id, seats["A2"], "A2")]


async def test_cancel_twice_says_already_cancelled(db, user, add_event):
    event = await add_event("Twice", hall="1x2")
    seats = await seats_of(db, event.id)
    alice = user()
    await book_seat(alice, event.id, seats["A1"])
    [booking_id] = await booking_ids(db, alice.id)
    await alice.send("/mybookings")
    await alice.tap("Cancel A1")
    ask = alice.last()
    await alice.tap("Yes, cancel it")
    await alice.tap("Yes, cancel it", message={**ask, "reply_markup": {"inline_keyboard": [[
        {"text": "Yes, cancel it", "callback_data": f"my:cancel:{booking_id}:0"}]]}})
    assert "already cancelled" in alice.screen()
    # Asking again about a cancelled booking does not offer to cancel it.
    await alice.tap(data=f"my:ask:{booking_id}:0")
    assert "no longer exists" in alice.screen() and not any("Yes" in b["text"] for b in alice.buttons())
    assert [row[3] for row in await all_bookings(db)] == ["cancelled"]


async def test_past_events_are_not_listed_and_cannot_be_cancelled(db, user, add_event):
    event = await add_event("Yesterday", hall="1x3")
    seats = await seats_of(db, event.id)
    alice = user()
    await book_seat(alice, event.id, seats["A1"])
    [booking_id] = await booking_ids(db, alice.id)
    await alice.send("/mybookings")
    await alice.tap("Cancel A1")
    ask = alice.last()
    await move_event(db, event.id, past(3))

    await alice.tap("Yes, cancel it", message=ask)
    assert "already started; the booking can't be cancelled" in alice.screen()
    assert await active_bookings(db, event.id) == [(alice.id, seats["A1"], "A1")]
    await alice.send("/mybookings")
    assert "no upcoming bookings" in alice.screen()
    await alice.tap(data=f"my:cancel:{booking_id}:0")
    assert "can't be cancelled" in alice.screen()
    assert await active_bookings(db, event.id) == [(alice.id, seats["A1"], "A1")]


async def test_my_bookings_from_a_poster_card_replaces_the_photo(db, api, user, add_event):
    from tests.helpers import poster_png

    event = await add_event("Gala", poster=poster_png(), hall="1x3")
    alice = user()
    await alice.send(f"/start event_{event.id}")
    await alice.tap("Book a seat")
    await alice.tap("2")
    await alice.tap("Confirm")
    assert "Booked!" in alice.last()["caption"], "the booking is confirmed on the poster itself"
    await alice.tap("My bookings")
    chat = api.chat(alice.id)
    assert len(chat) == 1 and "photo" not in chat[0] and "My bookings</b> (1)" in chat[0]["text"]
