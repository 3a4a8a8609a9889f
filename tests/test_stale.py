"""Forged, malformed and out-of-date buttons change nothing and get a polite answer and a fresh view."""
from __future__ import annotations

import logging

import pytest

from tests.driver import answers
from tests.helpers import active_bookings, all_bookings, book_seat, booking_ids, hall, seats_of


@pytest.fixture
async def scene(db, user, add_event):
    """Two events; Bob holds A1 of the first."""
    first = await add_event("First Night", hall="2x3")
    second = await add_event("Second Night", hall="2x3")
    bob = user(2002, "Bob")
    seats1, seats2 = await seats_of(db, first.id), await seats_of(db, second.id)
    await book_seat(bob, first.id, seats1["A1"])
    [bob_booking] = await booking_ids(db, bob.id)
    alice = user()
    await alice.send("/start")
    return {"first": first, "second": second, "bob": bob, "alice": alice, "seats1": seats1, "seats2": seats2,
            "bob_booking": bob_booking}


def no_errors(caplog) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "an error was logged"


async def test_someone_elses_booking_cannot_be_cancelled(db, scene, caplog):
    alice, bob_booking = scene["alice"], scene["bob_booking"]
    before = await all_bookings(db)
    calls = await alice.tap(data=f"my:ask:{bob_booking}:0")
    assert answers(calls)[0].params.get("text") == "This button is out of date"
    assert "This booking no longer exists." in alice.screen() and "no upcoming bookings" in alice.screen()
    assert not any("Yes" in b["text"] for b in alice.buttons())
    assert "Second" not in alice.screen() and "First Night" not in alice.screen(), "nothing about Bob's booking"

    calls = await alice.tap(data=f"my:cancel:{bob_booking}:0")
    assert answers(calls)[0].params.get("text") == "This button is out of date"
    assert "This booking no longer exists." in alice.screen()
    assert await all_bookings(db) == before
    no_errors(caplog)


@pytest.mark.parametrize("data", ["ev:card:999999:0", "st:map:999999:0:0", "bk:ok:999999:1",
                                  "st:pick:999999:1", "st:best:999999"])
async def test_missing_event(db, scene, data, caplog):
    alice = scene["alice"]
    before = await all_bookings(db)
    calls = await alice.tap(data=data)
    assert len(answers(calls)) == 1
    assert "This event no longer exists." in alice.screen()
    assert alice.has_button("First Night") and alice.has_button("Second Night"), "a fresh list to go on from"
    assert await all_bookings(db) == before
    no_errors(caplog)


@pytest.mark.parametrize("data", [
    "bk:ok:abc", "xx", "bk:ok:1", "bk:ok:1:2:3", "ev:card:-1:0", "ev:card:1:0x1", "my:cancel: 1:0", "st:pick:1:١",
    "lang:set:7", "zz:top:1", "x" * 65, "bk:ok:1:" + "9" * 60, "ev:card:99999999999999999:0",
])
async def test_malformed_data(db, scene, data, caplog):
    alice = scene["alice"]
    before = await all_bookings(db)
    calls = await alice.tap(data=data)
    assert [a.params.get("text") for a in answers(calls)] == ["This button is out of date"]
    assert alice.screen().startswith("This button is out of date. Here is a fresh view.")
    assert alice.has_button("Events") and alice.has_button("My bookings")
    assert await all_bookings(db) == before
    no_errors(caplog)


async def test_huge_ids_are_just_missing(db, scene, caplog):
    """IDs the codec lets through but no table can hold (PostgreSQL integers are 32-bit)."""
    alice = scene["alice"]
    before = await all_bookings(db)
    for data in ("ev:card:9007199254740992:0", "bk:ok:4294967296:1", "st:pick:2147483648:2147483648",
                 "my:cancel:9007199254740992:0", "my:ask:2147483648:0"):
        calls = await alice.tap(data=data)
        assert len(answers(calls)) == 1, data
        assert "something went wrong" not in str([c.params for c in answers(calls)])
        assert "no longer exists" in alice.screen() or "out of date" in alice.screen(), data
    assert await all_bookings(db) == before
    no_errors(caplog)


async def test_seat_of_another_event(db, scene, caplog):
    alice, first, seats2 = scene["alice"], scene["first"], scene["seats2"]
    before = await all_bookings(db)
    await alice.tap(data=f"st:pick:{first.id}:{seats2['B2']}")
    assert "This button is out of date" in alice.screen()
    assert "First Night" in alice.screen() and "Please confirm" not in alice.screen()
    free, taken = hall(alice.last())
    assert len(free) == 5 and taken == {"A": 1}, "a fresh hall of the event the button named"
    await alice.tap(data=f"bk:ok:{first.id}:{seats2['B2']}")
    assert "This button is out of date" in alice.screen() and "Booked" not in alice.screen()
    await alice.tap(data=f"st:pick:{first.id}:99999")
    assert "This button is out of date" in alice.screen()
    assert await all_bookings(db) == before
    no_errors(caplog)


async def test_out_of_range_pages_show_the_last_page(db, user, add_event):
    for i in range(6):
        await add_event(f"Gig {i}")
    alice = user()
    await alice.send("/events")
    await alice.tap(data="ev:list:40")
    assert "page 2 of 2" in alice.screen()
    await alice.tap(data="st:map:1:50:50")
    assert "Pick a seat" in alice.screen() and len(hall(alice.last())[0]) == 15


async def test_stale_answer_speaks_the_users_language(db, scene, user):
    ivan = user(3003, "Иван", "ru")
    await ivan.send("/start")
    calls = await ivan.tap(data="bk:ok:abc")
    assert [a.params.get("text") for a in answers(calls)] == ["Кнопка устарела"]
    assert ivan.screen().startswith("Эта кнопка устарела.")
    assert not await active_bookings(db, scene["second"].id)


async def test_huge_pages_are_the_last_page(db, scene, caplog):
    alice, first = scene["alice"], scene["first"]
    await alice.tap(data="ev:list:9007199254740992")
    assert "page 1 of 1" in alice.screen()
    await alice.tap(data="my:list:9007199254740992")
    assert "no upcoming bookings" in alice.screen()
    await alice.tap(data=f"st:map:{first.id}:9007199254740992:9007199254740992")
    assert "Pick a seat" in alice.screen()
    no_errors(caplog)
