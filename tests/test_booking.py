"""Picking a seat from the hall keyboard, confirming, races, limits, big halls, restarts."""
from __future__ import annotations

import asyncio
import logging
from collections import Counter

from sqlalchemy import select

from db.models import Booking
from tests.conftest import ADMIN_ID
from tests.driver import User, answers
from tests.helpers import (
    active_bookings,
    assert_telegram_limits,
    book_seat,
    hall,
    keyboard,
    move_event,
    past,
    seats_of,
)


async def open_hall(who: User, event_id: int) -> None:
    await who.send(f"/start event_{event_id}")
    await who.tap("Book a seat")


async def test_book_a_seat_end_to_end(db, api, user, add_event):
    event = await add_event("Jazz Night", hall="3x5", price_minor=500000)
    alice = user()
    await alice.send("/events")
    await alice.tap("Jazz Night")
    await alice.tap("Book a seat")
    first = alice.last()
    assert first["photo"], "the hall is its picture with the keyboard under it"
    assert "Pick a seat" in alice.screen() and "15 of 15 free" in alice.screen()
    free, taken = hall(alice.last())
    assert len(free) == 15 and not taken
    assert [row[0]["text"] for row in keyboard(alice.last())[:3]] == ["A", "B", "C"]
    assert alice.has_button("Best available") and alice.has_button("Back")

    await alice.tap(data=free["B3"])
    text = alice.screen()
    assert "Please confirm" in text and "Seat <b>B3</b> (row B, seat 3)" in text and "5\u00a0000\u00a0₸" in text
    assert not await active_bookings(db), "nothing is booked before Confirm"

    calls = await alice.tap("Confirm")
    assert "Booked!" in alice.screen() and "Seat <b>B3</b>" in alice.screen()
    # The picture changes too: B3 drawn as hers now.
    assert [c.method for c in calls if c.method != "answerCallbackQuery"] == ["editMessageMedia"]
    assert alice.last()["message_id"] == first["message_id"], "from the hall on, the journey edits one message"
    b3 = (await seats_of(db, event.id))["B3"]
    assert free["B3"] == f"st:pick:{event.id}:{b3}"
    assert await active_bookings(db, event.id) == [(alice.id, b3, "B3")]

    # A second tap on the same Confirm (or Telegram delivering it twice) books nothing more.
    await alice.tap(data=f"bk:ok:{event.id}:{b3}")
    assert "Booked!" in alice.screen()
    assert len(await active_bookings(db, event.id)) == 1

    await alice.tap("Book another seat")
    free, taken = hall(alice.last())
    assert "B3" not in free and taken == {"B": 1} and "14 of 15 free" in alice.screen()


async def test_taken_seat_is_a_neutral_mark_without_pick(db, api, user, add_event):
    event = await add_event("Quartet", hall="2x4")
    seats = await seats_of(db, event.id)
    bob, alice = user(2002, "Bob"), user()
    await book_seat(bob, event.id, seats["A2"])
    await open_hall(alice, event.id)
    free, taken = hall(alice.last())
    assert "A2" not in free and taken == {"A": 1} and len(free) == 7
    row_a = keyboard(alice.last())[0]
    assert [b["text"] for b in row_a] == ["A", "1", "·", "3", "4"]
    assert not row_a[2]["callback_data"].startswith("st:pick")
    before = dict(alice.last())
    calls = await alice.tap(data=row_a[2]["callback_data"])
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert "taken" in calls[0].params["text"]
    assert alice.last() == before
    assert await active_bookings(db, event.id) == [(bob.id, seats["A2"], "A2")]


async def test_seat_booked_by_another_disappears(db, api, user, add_event):
    event = await add_event("Play", hall="2x3")
    alice, bob = user(), user(2002, "Bob")
    await open_hall(alice, event.id)
    await open_hall(bob, event.id)
    alice_hall = alice.last()
    free_for_alice, _ = hall(alice_hall)

    await bob.tap(data=hall(bob.last())[0]["B2"])
    await bob.tap("Confirm")
    assert "Booked!" in bob.screen()

    # Alice opens the hall again: B2 is a taken mark now.
    await alice.tap("Back")
    await alice.tap("Book a seat")
    free, taken = hall(alice.last())
    assert "B2" not in free and taken == {"B": 1}

    # Her old hall still had B2 as a number: tapping it tells her, with the hall as it is now.
    calls = await alice.tap(data=free_for_alice["B2"], message=alice_hall)
    assert "was taken a moment ago" in alice.screen()
    free, _ = hall(alice.last())
    assert "B2" not in free and len(free) == 5
    assert not [c for c in calls if c.method == "sendMessage"]
    assert await active_bookings(db, event.id) == [(bob.id, int(free_for_alice["B2"].split(":")[-1]), "B2")]


async def test_confirm_of_a_seat_taken_meanwhile(db, api, user, add_event):
    event = await add_event("Recital", hall="1x3")
    seats = await seats_of(db, event.id)
    alice, bob = user(), user(2002, "Bob")
    await alice.send("/start")
    await alice.tap(data=f"st:pick:{event.id}:{seats['A1']}")
    await book_seat(bob, event.id, seats["A1"])
    calls = await alice.tap("Confirm")
    assert answers(calls)[0].params.get("text") == "Seat A1 was just taken"
    assert "Sorry, seat <b>A1</b> was taken a moment ago" in alice.screen()
    free, taken = hall(alice.last())
    assert set(free) == {"A2", "A3"} and taken == {"A": 1}
    assert await active_bookings(db, event.id) == [(bob.id, seats["A1"], "A1")]


async def test_fifty_users_race_for_one_seat(db, api, user, add_event, caplog):
    event = await add_event("Hot Ticket", hall="2x5")
    seats = await seats_of(db, event.id)
    seat = seats["A3"]
    crowd = [user(5000 + i, f"Fan{i}") for i in range(50)]
    for fan in crowd:
        await fan.send("/start")
        await fan.tap(data=f"st:pick:{event.id}:{seat}")
        assert "Please confirm" in fan.screen()
    caplog.clear()
    before = len(api.calls)
    with caplog.at_level(logging.WARNING):
        taps = [fan.tap_update(f"bk:ok:{event.id}:{seat}") for fan in crowd]
        await asyncio.gather(*(fan.app.process_update(u) for fan, u in zip(crowd, taps)))

    booked = await active_bookings(db, event.id)
    assert len(booked) == 1 and booked[0][1] == seat
    winner = booked[0][0]
    screens = Counter()
    for fan in crowd:
        text = fan.screen()
        if fan.id == winner:
            assert "Booked!" in text and "Seat <b>A3</b>" in text
            screens["booked"] += 1
        else:
            assert "Sorry, seat <b>A3</b> was taken a moment ago" in text
            free, taken = hall(fan.last())
            assert "A3" not in free and len(free) == 9 and taken == {"A": 1}
            screens["taken"] += 1
    assert screens == {"booked": 1, "taken": 49}
    alerts = Counter(c.params.get("text") for c in answers(api.calls[before:]))
    assert alerts == {"Seat A3 was just taken": 49, None: 1}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [c for c in api.calls[before:] if "went wrong" in c.text]


async def test_per_user_limit(db, api, user, add_event):
    event = await add_event("Family Show", hall="2x5")
    seats = await seats_of(db, event.id)
    alice = user()
    for label in ("A1", "A2", "A3", "A4"):
        await book_seat(alice, event.id, seats[label])
        assert "Booked!" in alice.screen()
    await alice.tap("Book another seat")
    await alice.tap(data=hall(alice.last())[0]["B1"])
    # Told at the pick, before confirming anything...
    assert "reached the limit for this event: one person can book 4" in alice.screen()
    assert not alice.has_button("Confirm")
    # ...and an old Confirm button is refused just the same.
    await alice.tap(data=f"bk:ok:{event.id}:{seats['B1']}")
    assert "reached the limit for this event: one person can book 4" in alice.screen()
    assert len(await active_bookings(db, event.id)) == 4
    # Someone else is not limited by Alice's seats.
    bob = user(2002, "Bob")
    await book_seat(bob, event.id, seats["B1"])
    assert "Booked!" in bob.screen()


async def test_limit_is_a_setting(db, make_app, api, add_event):
    app = await make_app(max_seats_per_user=1)
    event = await add_event("Solo", hall="1x3")
    seats = await seats_of(db, event.id)
    alice = User(app, api, 1001)
    await book_seat(alice, event.id, seats["A1"])
    await alice.tap(data=f"st:pick:{event.id}:{seats['A2']}")
    assert "one person can book 1 " in alice.screen() and not alice.has_button("Confirm")
    assert len(await active_bookings(db, event.id)) == 1


async def test_old_confirm_button_works_after_restart(db, api, make_app, add_event):
    event = await add_event("Late Show", hall="2x3")
    seats = await seats_of(db, event.id)
    first = await make_app()
    alice = User(first, api, 1001)
    await alice.send("/start")
    await alice.tap(data=f"st:pick:{event.id}:{seats['B2']}")
    confirm_message = alice.last()
    await first.shutdown()

    second = await make_app()
    alice_again = User(second, api, 1001)
    await alice_again.tap("Confirm", message=confirm_message)
    assert "Booked!" in alice_again.screen() and "Seat <b>B2</b>" in alice_again.screen()
    assert await active_bookings(db, event.id) == [(1001, seats["B2"], "B2")]


async def test_booking_closes_when_the_event_starts(db, api, user, add_event):
    event = await add_event("Starting Now", hall="1x3")
    seats = await seats_of(db, event.id)
    alice = user()
    await alice.send("/start")
    await alice.tap(data=f"st:pick:{event.id}:{seats['A1']}")
    await move_event(db, event.id, past(0.1))
    await alice.tap("Confirm")
    assert "already started" in alice.screen() and not alice.has_button("Book a seat")
    assert not await active_bookings(db)


async def test_last_seat_then_sold_out(db, api, user, add_event):
    event = await add_event("Intimate", hall="1x2")
    seats = await seats_of(db, event.id)
    bob, alice = user(2002, "Bob"), user()
    await book_seat(bob, event.id, seats["A1"])
    await open_hall(alice, event.id)
    free, _ = hall(alice.last())
    assert list(free) == ["A2"]
    await alice.tap("Best available")
    assert "Seat <b>A2</b>" in alice.screen()
    await alice.tap("Confirm")
    assert "Booked!" in alice.screen()
    carol = user(3003, "Carol")
    await carol.send(f"/start event_{event.id}")
    assert not carol.has_button("Book a seat")
    await carol.tap(data=f"st:map:{event.id}:0:0")  # an old "Book a seat" button
    assert "No free seats left" in carol.screen()
    await carol.tap(data=f"st:best:{event.id}")
    assert "No free seats left" in carol.screen()
    assert len(await active_bookings(db, event.id)) == 2


def nav_data(message: dict) -> list[str]:
    return [b["callback_data"] for row in keyboard(message) for b in row
            if b.get("callback_data", "").startswith("st:map:")]


async def test_large_hall_parts_within_limits_and_cover_every_seat(db, api, user, add_event):
    event = await add_event("Abai: the Opera", hall="30x40")
    alice = user()
    await open_hall(alice, event.id)
    start = alice.last()
    assert "Rows A–J, seats 1–7" in alice.screen()
    seen: Counter = Counter()
    visited, queue = set(), [f"st:map:{event.id}:0:0"]
    message = start
    while queue:
        data = queue.pop()
        if data in visited:
            continue
        visited.add(data)
        await alice.tap(data=data, message=message)
        message = alice.last()
        assert message["message_id"] == start["message_id"]
        assert_telegram_limits(message)
        free, taken = hall(message)
        assert not taken
        seen.update(free.keys())
        queue.extend(d for d in nav_data(message) if d not in visited)
    assert len(visited) == 3 * 6
    expected = {f"{row}{n}" for row in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for n in range(1, 41)}
    expected |= {f"A{x}{n}" for x in "ABCD" for n in range(1, 41)}
    assert set(seen) == expected and len(seen) == 1200
    assert set(seen.values()) == {1}, "every seat appears in exactly one part"
    await alice.tap(data=f"st:map:{event.id}:2:5", message=message)
    assert "Rows U–AD, seats 36–40" in alice.screen()
    assert alice.has_button("▲ Rows K–T") and alice.has_button("◀ Seats 29–35")


async def test_best_available_picks_a_central_free_seat(db, api, user, add_event):
    event = await add_event("Big Hall", hall="30x40")
    alice, bob = user(), user(2002, "Bob")
    await open_hall(alice, event.id)
    await alice.tap("Best available")
    text = alice.screen()
    assert "Please confirm" in text
    row, number = text.split("(row ")[1].split(")")[0].split(", seat ")
    assert row in {"L", "M", "N", "O", "P"}, row
    assert 18 <= int(number) <= 23
    await alice.tap("Confirm")
    first = await active_bookings(db, event.id)
    assert first[0][2] == f"{row}{number}"

    await open_hall(bob, event.id)
    await bob.tap("Best available")
    bob_text = bob.screen()
    bob_row, bob_number = bob_text.split("(row ")[1].split(")")[0].split(", seat ")
    assert (bob_row, bob_number) != (row, number)
    assert bob_row == row and abs(int(bob_number) - int(number)) == 1, "the next best is beside it"
    await bob.tap("Confirm")
    assert len(await active_bookings(db, event.id)) == 2


async def test_one_user_racing_past_the_limit(db, api, user, add_event):
    """Six Confirm taps of one person at once (two phones, a double tap) stop at the limit of 4."""
    event = await add_event("Popular", hall="2x5")
    seats = await seats_of(db, event.id)
    alice = user()
    await alice.send("/start")
    labels = ["A1", "A2", "A3", "A4", "A5", "B1"]
    updates = [alice.tap_update(f"bk:ok:{event.id}:{seats[label]}") for label in labels]
    await asyncio.gather(*(alice.app.process_update(u) for u in updates))
    mine = await active_bookings(db, event.id)
    assert len(mine) == 4 and {m[0] for m in mine} == {alice.id}


async def test_double_tap_on_confirm_books_once(db, api, user, add_event):
    event = await add_event("Encore", hall="1x4")
    seats = await seats_of(db, event.id)
    alice = user()
    await alice.send("/start")
    await alice.tap(data=f"st:pick:{event.id}:{seats['A2']}")
    taps = [alice.tap_update(f"bk:ok:{event.id}:{seats['A2']}") for _ in range(2)]
    before = len(api.calls)
    await asyncio.gather(*(alice.app.process_update(u) for u in taps))
    assert await active_bookings(db, event.id) == [(alice.id, seats["A2"], "A2")]
    assert "Booked!" in alice.screen()
    assert not [a for a in answers(api.calls[before:]) if "taken" in (a.params.get("text") or "")], \
        "nobody tells Alice her own seat was taken"


async def test_hall_with_rows_of_different_lengths(db, api, user, add_event):
    from db.hall import parse_hall

    event = await add_event("Open Mic", hall=parse_hall("A:6 B:7 C:7 D:7"))
    alice = user()
    await open_hall(alice, event.id)
    rows = keyboard(alice.last())
    assert [b["text"] for b in rows[0]] == ["A", "1", "2", "3", "4", "5", "6", "\u2800"]
    assert rows[0][-1]["callback_data"] == "st:noop"
    free, _ = hall(alice.last())
    assert len(free) == 27 and "A7" not in free and "D7" in free
    assert_telegram_limits(alice.last())


async def test_labels_and_repeated_taps_change_nothing(db, api, user, add_event, caplog):
    event = await add_event("Quiet", hall="2x3")
    alice = user()
    await open_hall(alice, event.id)
    hall_message = dict(alice.last())
    calls = await alice.tap("A")  # a row label
    assert [c.method for c in calls] == ["answerCallbackQuery"] and not calls[0].params.get("text")
    # "Book a seat" tapped twice: the second edit finds nothing to change, and that is fine.
    calls = await alice.tap(data=f"st:map:{event.id}:0:0")
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageCaption"]
    assert alice.last() == hall_message and len(api.chat(alice.id)) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_losing_a_seat_in_a_big_hall_shows_the_part_around_it(db, api, user, add_event):
    event = await add_event("Arena", hall="30x40")
    seats = await seats_of(db, event.id)
    alice, bob = user(1001, "Alice"), user(1002, "Bob")
    await bob.send("/start")
    await bob.tap(data=f"st:pick:{event.id}:{seats['P30']}")  # far from the first part (rows A-J, seats 1-7)
    assert "P30" in bob.screen()
    await book_seat(alice, event.id, seats["P30"])
    await bob.tap("Confirm")
    assert "was taken a moment ago" in bob.screen()
    free, taken = hall(bob.last())
    assert taken == {"P": 1}  # the lost seat, shown where it was
    assert {"P29", "P31", "K30", "T30"} <= set(free)  # its neighbours, one tap away
    assert_telegram_limits(bob.last())


async def test_a_booking_keeps_the_price_it_was_booked_at(db, api, user, add_event):
    """The price is part of the deal: a later change of the event's price is not a change of it."""
    async def paid(user_id: int) -> list[tuple[int, str]]:
        async with db.read() as session:
            rows = await session.execute(select(Booking.price_minor, Booking.currency)
                                         .where(Booking.user_id == user_id).order_by(Booking.id))
            return [tuple(r) for r in rows]

    event = await add_event("Jazz Night", hall="3x5", price_minor=500000)  # 5 000.00 KZT
    alice = user(1001, "Alice")
    await open_hall(alice, event.id)
    await alice.tap(data=hall(alice.last())[0]["A1"])
    await alice.tap("Confirm")
    assert "Booked!" in alice.screen() and "5\u00a0000\u00a0₸" in alice.screen()
    assert await paid(alice.id) == [(500000, "KZT")]

    admin = user(ADMIN_ID, "Olga")
    await admin.send("/myevents")
    await admin.tap("Jazz Night")
    await admin.tap("Edit a field")
    await admin.tap("Price")
    await admin.send("12.50 USD")
    assert "Saved" in admin.screen()

    bob = user(1002, "Bob")
    await open_hall(bob, event.id)
    await bob.tap(data=hall(bob.last())[0]["A2"])
    await bob.tap("Confirm")
    assert "Booked!" in bob.screen() and "12.50" in bob.screen()
    assert await paid(bob.id) == [(1250, "USD")]
    assert await paid(alice.id) == [(500000, "KZT")]  # Alice's booking is as she booked it
