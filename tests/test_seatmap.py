"""The hall's picture above the seat keyboard: what it shows, where, and how often it is uploaded."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select, update

from db.models import SeatMap
from images import seatmap
from images.seatmap import FREE_OUTLINE, MINE_FILL, PICKED_RING, TAKEN_FILL, Legend, SeatMark
from tests.helpers import book_seat, hall, poster_png, seats_of

LEGEND = Legend("STAGE", "free", "taken", "yours", "picked")


async def open_hall(who, event_id: int, button: str = "Book a seat") -> list:
    await who.send(f"/start event_{event_id}")
    return await who.tap(button)


def grid(rows: int, seats: int) -> list:
    """Rows shaped like a `rows`x`seats` hall (the marks don't move anything)."""
    return [(chr(ord("A") + r), [(n, SeatMark.FREE) for n in range(1, seats + 1)]) for r in range(rows)]


def picture_of(api, message: dict) -> Image.Image:
    """The picture a message shows, decoded from the bytes the Bot API received."""
    return Image.open(io.BytesIO(api.files[message["photo"][-1]["file_id"]])).convert("RGB")


def close(colour, expected, tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected))


def drawn_at(image: Image.Image, box: tuple[int, int, int, int]) -> str:
    """Read a seat off the picture as a person would: a square filled grey is taken, a circle filled
    blue is theirs, a ring around the cell is the pick, an outlined circle with nothing inside is free."""
    left, top, right, bottom = box
    size = right - left
    centre_x, centre_y = (left + right) // 2, (top + bottom) // 2
    corner = image.getpixel((left + size // 5, top + size // 5))       # inside a square, outside a circle
    upper = image.getpixel((centre_x, top + size * 3 // 10))            # inside the circle, off the check
    edge = image.getpixel((left + 1, centre_y))                         # the cell's edge: only the ring
    if close(corner, TAKEN_FILL):
        return "taken"
    if close(upper, MINE_FILL):
        return "mine"
    if close(edge, PICKED_RING):
        return "picked"
    if close(upper, (255, 255, 255)) and close(image.getpixel((centre_x, top + size // 7 + 1)), FREE_OUTLINE, 40):
        return "free"
    return f"unreadable {corner} {upper} {edge}"


async def test_hall_is_a_photo_showing_taken_own_and_picked_seats(db, api, user, add_event):
    event = await add_event("Jazz Night", hall="3x5")
    seats = await seats_of(db, event.id)
    alice, bob = user(), user(2002, "Bob")
    await book_seat(bob, event.id, seats["A2"])
    await book_seat(alice, event.id, seats["B3"])

    await open_hall(alice, event.id)
    message = alice.last()
    assert message["photo"] and "Pick a seat" in message["caption"]
    free, taken = hall(message)
    assert len(free) == 13 and taken == {"A": 1, "B": 1}, "the keyboard is the photo's own"
    image = picture_of(api, message)
    rows = grid(3, 5)
    assert image.size[0] <= 1280
    assert drawn_at(image, seatmap.seat_box(rows, "A", 2)) == "taken"
    assert drawn_at(image, seatmap.seat_box(rows, "B", 3)) == "mine"
    assert drawn_at(image, seatmap.seat_box(rows, "A", 1)) == "free"
    assert drawn_at(image, seatmap.seat_box(rows, "C", 5)) == "free"

    # Picking a seat edits the same message, its picture too: C4 is ringed.
    calls = await alice.tap(data=free["C4"])
    assert [c.method for c in calls if c.method != "answerCallbackQuery"] == ["editMessageMedia"]
    assert alice.last()["message_id"] == message["message_id"] and "Please confirm" in alice.screen()
    image = picture_of(api, alice.last())
    assert drawn_at(image, seatmap.seat_box(rows, "C", 4)) == "picked"
    assert drawn_at(image, seatmap.seat_box(rows, "B", 3)) == "mine"

    await alice.tap("Confirm")
    image = picture_of(api, alice.last())
    assert "Booked!" in alice.screen()
    assert drawn_at(image, seatmap.seat_box(rows, "C", 4)) == "mine"


async def test_unchanged_hall_is_uploaded_once_and_a_booking_makes_a_new_picture(db, api, user, add_event):
    event = await add_event("Play", hall="2x4")
    seats = await seats_of(db, event.id)
    bob, carol, dave = user(2002, "Bob"), user(2003, "Carol"), user(2004, "Dave")

    calls = await open_hall(bob, event.id)
    first = [c for c in calls if c.method == "sendPhoto"]
    assert len(first) == 1 and first[0].files, "the first showing uploads the picture"
    file_id = bob.last()["photo"][-1]["file_id"]

    calls = await open_hall(carol, event.id)
    again = [c for c in calls if c.method == "sendPhoto"]
    assert len(again) == 1 and not again[0].files and again[0].params["photo"] == file_id, \
        "the same hall for someone else is Telegram's file_id, not a new upload"
    # Moving around the same hall only edits the caption and keyboard.
    calls = await carol.tap(data=f"st:map:{event.id}:0:0")
    assert [c.method for c in calls if c.method != "answerCallbackQuery"] in ([], ["editMessageCaption"])

    await book_seat(dave, event.id, seats["B2"])
    calls = await carol.tap("Back")
    calls = await carol.tap("Book a seat")
    uploads = [c for c in calls if c.method in ("sendPhoto", "editMessageMedia") and c.files]
    assert len(uploads) == 1, "the hall changed: its new picture is drawn and uploaded"
    new_file_id = carol.last()["photo"][-1]["file_id"]
    assert new_file_id != file_id
    assert drawn_at(picture_of(api, carol.last()), seatmap.seat_box(grid(2, 4), "B", 2)) == "taken"

    calls = await open_hall(bob, event.id)
    assert [c.params["photo"] for c in calls if c.method == "sendPhoto" and not c.files] == [new_file_id]
    async with db.read() as session:
        stored = (await session.execute(select(SeatMap.version, SeatMap.telegram_file_id)
                                        .where(SeatMap.event_id == event.id))).all()
    assert len(stored) == 2 and {f for _, f in stored} == {file_id, new_file_id}


async def test_each_language_has_its_own_legend(db, api, user, add_event):
    event = await add_event("Opera", hall="2x3")
    await open_hall(user(2002, "Bob", language_code="en"), event.id)
    await open_hall(user(2003, "Boris", language_code="ru"), event.id, "Выбрать место")
    async with db.read() as session:
        languages = (await session.execute(select(SeatMap.language).where(SeatMap.event_id == event.id))).scalars()
        assert sorted(languages) == ["en", "ru"]
    assert sum(1 for c in api.sent("sendPhoto") if c.files) == 2


async def test_file_id_of_another_bot_falls_back_to_the_stored_picture(db, api, user, add_event):
    event = await add_event("Moved", hall="2x3")
    await open_hall(user(2002, "Bob"), event.id)
    async with db.write() as session:
        await session.execute(update(SeatMap).values(telegram_file_id="file-of-another-bot"))
    alice = user()
    calls = await open_hall(alice, event.id)
    photos = [c for c in calls if c.method == "sendPhoto"]
    assert [bool(c.files) for c in photos] == [False, True], "tried the file_id, then uploaded the PNG"
    async with db.read() as session:
        file_id = (await session.execute(select(SeatMap.telegram_file_id))).scalar_one()
    assert file_id == alice.last()["photo"][-1]["file_id"]


async def test_poster_gives_way_to_the_hall_and_back(db, api, user, add_event):
    await add_event("Ballet", poster=poster_png(), hall="2x4")
    alice = user()
    await alice.send("/events")
    await alice.tap("Ballet")
    poster = alice.last()["photo"][-1]["file_id"]
    await alice.tap("Book a seat")
    assert alice.last()["photo"][-1]["file_id"] != poster and hall(alice.last())[0]
    await alice.tap("Back")
    assert alice.last()["photo"][-1]["file_id"] == poster and alice.has_button("Book a seat")


def test_a_30_by_40_hall_fits_telegram_and_stays_readable():
    rows = [(label, [(n, SeatMark.TAKEN if n % 3 == 0 else SeatMark.FREE) for n in range(1, 41)])
            for label in [chr(ord("A") + i) for i in range(26)] + ["AA", "AB", "AC", "AD"]]
    rows[10][1][5] = (6, SeatMark.MINE)
    data = seatmap.render(rows, LEGEND)
    image = Image.open(io.BytesIO(data))
    width, height = image.size
    # sendPhoto: at most 10 MB, width + height at most 10000, sides within 1:20; shown at 1280 px.
    assert len(data) < 10 * 1024 * 1024 and width <= 1280 and width + height <= 10000
    assert max(width, height) / min(width, height) <= 20
    left, top, right, bottom = seatmap.seat_box(rows, "AD", 40)
    assert right - left >= 24 and bottom <= height and right <= width, "every seat big enough to see and on it"
    image = image.convert("RGB")
    assert drawn_at(image, seatmap.seat_box(rows, "K", 6)) == "mine"
    assert drawn_at(image, seatmap.seat_box(rows, "AD", 39)) == "taken"
    assert drawn_at(image, seatmap.seat_box(rows, "AD", 40)) == "free"


def test_the_largest_hall_we_accept_still_fits():
    rows = [(str(i), [(n, SeatMark.FREE) for n in range(1, 81)]) for i in range(1, 61)]
    image = Image.open(io.BytesIO(seatmap.render(rows, LEGEND, image_format="JPEG")))
    assert image.format == "JPEG" and image.size[0] <= 1280 and sum(image.size) <= 10000
