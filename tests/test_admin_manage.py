"""/myevents: editing a field (attendees told when it matters), cancelling with bookings, deleting,
the attendee list and its CSV, and a message to all attendees."""
from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from views.texts import t
from db import booking, drafts
from db.models import Booking, Event, EventDraft, Seat
from db.users import upsert_user
from bot import outbox as outbox_worker
from tests.conftest import ADMIN_ID
from tests.fake_telegram import FakeTelegram
from tests.test_admin_wizard import local_date


class BlockingTelegram(FakeTelegram):
    """The fake Bot API, where some users have blocked the bot (403 on sendMessage to them)."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: set[int] = set()

    async def do_request(self, url, method, request_data=None, **kwargs):
        if url.endswith("/sendMessage") and request_data is not None:
            chat_id = int(request_data.parameters.get("chat_id", 0))
            if chat_id in self.blocked:
                body = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
                return 403, json.dumps(body).encode()
        return await super().do_request(url, method, request_data, **kwargs)


@pytest.fixture
def api() -> BlockingTelegram:
    return BlockingTelegram()


@pytest.fixture(autouse=True)
def no_pacing(monkeypatch):
    monkeypatch.setattr(outbox_worker, "SEND_RATE", 10_000)


async def book(db, user_id: int, event_id: int, seats: list[str], name: str = "Alice", lang: str = "en",
               username: str | None = None, last_name: str | None = None) -> None:
    async with db.write() as session:
        await upsert_user(session, user_id, first_name=name, last_name=last_name, username=username, language=lang)
        for label in seats:
            seat_id = (await session.execute(
                select(Seat.id).where(Seat.event_id == event_id, Seat.label == label))).scalar_one()
            result = await booking.book(session, user_id=user_id, event_id=event_id, seat_id=seat_id, limit=50)
            assert result.outcome is booking.Outcome.BOOKED


def received(api, chat_id: int, words: str) -> list:
    return [c for c in api.sent("sendMessage", chat_id) if words in c.text]


async def open_card(admin, title: str) -> None:
    await admin.send("/myevents")
    await admin.tap(title)


async def test_myevents_shows_sold_of_total_and_opens_the_admin_card(app, api, user, db, add_event):
    event = await add_event("Jazz Night", hall="3x5")
    await add_event("Open Mic", hall="2x2")
    await book(db, 1001, event.id, ["A1", "A2"])
    admin = user(ADMIN_ID, "Olga")
    await admin.send("/myevents")
    labels = [b["text"] for b in admin.buttons()]
    assert any("Jazz Night · 2/15" in label for label in labels) and any("Open Mic · 0/4" in label for label in labels)
    await admin.tap("Jazz Night")
    assert "Booked: <b>2</b> of 15" in admin.screen()
    assert admin.has_button("Cancel event") and not admin.has_button("Delete")  # it has bookings


async def test_editing_the_date_tells_each_attendee_once(app, api, user, db, add_event):
    event = await add_event("Jazz Night", hall="3x5")
    await book(db, 1001, event.id, ["A1", "A2"], name="Alice")
    await book(db, 1002, event.id, ["B1"], name="Борис", lang="ru")
    admin = user(ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    await admin.tap("Edit a field")
    await admin.tap("Date and time")
    assert "Date and time" in admin.screen() and "25.12.2026 19:00" in admin.screen()
    await admin.send("yesterday")  # same checks as the wizard
    assert "couldn't read that" in admin.screen() and "Date and time" in admin.screen()
    new_date = local_date(20, "21:15")
    await admin.send(new_date)
    await outbox_worker.drain_all(app)
    assert "Saved" in admin.screen() or "Delivered" in admin.screen()
    async with db.read() as session:
        stored = await session.get(Event, event.id)
    assert stored.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Almaty")).strftime("%H:%M") == "21:15"
    alice, boris = received(api, 1001, "has changed"), received(api, 1002, "изменения")
    assert len(alice) == 1 and len(boris) == 1
    assert "21:15" in alice[0].text and "A1, A2" in alice[0].text
    assert received(api, ADMIN_ID, "Delivered: 2 of 2")
    # A change attendees needn't hear about (the title) tells nobody.
    before = len(api.sent("sendMessage"))
    await admin.send("/myevents")
    await admin.tap("Jazz Night")
    await admin.tap("Edit a field")
    await admin.tap("Title")
    await admin.send("Jazz Night <Live>")
    await outbox_worker.drain_all(app)
    assert "Jazz Night &lt;Live&gt;" in admin.screen()
    assert not [c for c in api.sent("sendMessage")[before:] if c.chat_id in (1001, 1002)]


async def test_hall_cannot_change_once_booked_but_can_before(app, api, user, db, add_event):
    booked = await add_event("Jazz Night", hall="3x5")
    await add_event("Open Mic", hall="2x2")
    await book(db, 1001, booked.id, ["A1"])
    admin = user(ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    await admin.tap("Edit a field")
    await admin.tap("Hall")
    assert "hall can't change" in admin.screen()
    await open_card(admin, "Open Mic")
    await admin.tap("Edit a field")
    await admin.tap("Hall")
    await admin.send("A:3 B:4")
    assert "Booked: <b>0</b> of 7" in admin.screen()


async def test_cancelling_an_event_with_bookings_notifies_each_attendee_once(app, api, user, db, add_event):
    event = await add_event("Jazz Night", hall="3x5")
    other = await add_event("Open Mic", hall="2x2")
    await book(db, 1000, event.id, ["C5"], name="Carol")   # blocked the bot; must not stop the others
    await book(db, 1001, event.id, ["A1", "A2", "A3"], name="Alice")
    await book(db, 1002, event.id, ["B1"], name="Борис", lang="ru")
    await book(db, 1001, other.id, ["A1"], name="Alice")
    api.blocked.add(1000)
    admin = user(ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    await admin.tap("Cancel event")
    assert "5 active booking(s)" in admin.screen()
    await admin.tap("Yes, cancel the event")
    await outbox_worker.drain_all(app)
    assert len(received(api, 1001, "has been cancelled")) == 1
    assert "A1, A2, A3" in received(api, 1001, "has been cancelled")[0].text
    assert len(received(api, 1002, "Организатор отменил")) == 1
    assert received(api, ADMIN_ID, "Delivered: 2 of 3")
    async with db.read() as session:
        statuses = dict((await session.execute(
            select(Booking.event_id, Booking.status).where(Booking.event_id == event.id).distinct())).all())
        other_status = (await session.execute(
            select(Booking.status).where(Booking.event_id == other.id))).scalar_one()
        stored = await session.get(Event, event.id)
    assert statuses == {event.id: "cancelled"} and other_status == "confirmed" and stored.status == "cancelled"
    # The card says so; pressing the old confirmation again cancels nothing twice.
    card = api.chat(ADMIN_ID)[-2]  # the last one is the delivery report
    assert "Cancelled" in card["text"] and not any("Cancel event" in b["text"] for b in admin.buttons(card))
    before = len(api.sent("sendMessage"))
    await admin.tap(data=f"adm:cok:{event.id}", message=card)
    await outbox_worker.drain_all(app)
    assert "already cancelled" in card["text"]  # edited in place
    assert not [c for c in api.sent("sendMessage")[before:] if c.chat_id in (1001, 1002)]
    # Attendees see it gone from /events, and the card says cancelled.
    alice = user(1001, "Alice")
    await alice.send("/events")
    assert not alice.has_button("Jazz Night")


async def test_delete_only_when_nobody_booked(app, api, user, db, add_event):
    event = await add_event("Jazz Night", hall="3x5")
    booked = await add_event("Open Mic", hall="2x2")
    await book(db, 1001, booked.id, ["A1"])
    admin = user(ADMIN_ID, "Olga")
    await admin.tap(data=f"adm:dok:{booked.id}", message=(await admin.send("/myevents")) and admin.last())
    assert "can't be deleted" in admin.screen()
    await open_card(admin, "Jazz Night")
    await admin.tap("Delete")
    await admin.tap("Yes, delete it")
    assert "Deleted" in admin.screen()
    async with db.read() as session:
        assert await session.get(Event, event.id) is None
        assert await session.get(Event, booked.id) is not None
        assert not (await session.execute(select(Seat.id).where(Seat.event_id == event.id))).first()


async def test_attendee_list_is_paged_under_the_message_limit(app, api, user, db, add_event):
    event = await add_event("Jazz Night", hall="10x12")
    labels = [f"{row}{n}" for row in "ABCDEFGHIJ" for n in range(1, 13)]
    for i, label in enumerate(labels[:70]):
        await book(db, 5000 + i, event.id, [label], name="N" * 64 + f"<{i}>", last_name="L" * 64,
                   username=f"user_{i}_" + "x" * 20)
    admin = user(ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    await admin.tap("Attendees")
    first = admin.screen()
    assert "70 booked seat(s), page 1 of 3" in first and "A1 ·" in first and "&lt;0&gt;" not in first
    assert len(first) <= 4096
    await admin.tap("▶")
    assert "page 2 of 3" in admin.screen() and len(admin.screen()) <= 4096
    await admin.tap("▶")
    assert "page 3 of 3" in admin.screen()
    assert all(len(c.text) <= 4096 for c in api.calls if c.method in ("sendMessage", "editMessageText"))


async def test_csv_export_contains_every_booking(app, api, user, db, add_event):
    event = await add_event("Jazz Night", hall="3x5")
    await book(db, 1001, event.id, ["A1", "A2"], name="Alice", username="alice")
    await book(db, 1002, event.id, ["B3"], name="=HYPERLINK(\"x\")", last_name="Smith")
    await book(db, 1003, event.id, ["C5"], name="Борис")
    admin = user(ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    calls = await admin.tap("CSV")
    documents = [c for c in calls if c.method == "sendDocument"]
    assert len(documents) == 1 and "Bookings of <b>Jazz Night</b>: 4" in documents[0].params["caption"]
    data = next(iter(documents[0].files.values()))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["seat"], r["user_id"]) for r in rows] == [("A1", "1001"), ("A2", "1001"), ("B3", "1002"), ("C5", "1003")]
    assert rows[0]["name"] == "Alice" and rows[0]["username"] == "alice"
    assert rows[2]["name"].startswith("'=")  # a spreadsheet won't run it as a formula
    assert rows[3]["name"] == "Борис" and rows[3]["booked_at"].endswith("+05:00")


async def test_announcement_goes_to_each_attendee_once(app, api, user, db, add_event):
    event = await add_event("Jazz Night", hall="3x5")
    await book(db, 1000, event.id, ["A5"], name="Carol")
    await book(db, 1001, event.id, ["A1", "A2"], name="Alice")
    await book(db, 1002, event.id, ["B1"], name="Bob")
    api.blocked.add(1000)
    admin = user(ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    await admin.tap("Message attendees")
    await admin.send("Doors open at 18:00 <sharp>")
    assert "This goes to 3 attendee(s)" in admin.screen() and "&lt;sharp&gt;" in admin.screen()
    await admin.tap("Send")
    await admin.tap(data=f"adm:send:{event.id}", message=admin.last())  # a second tap sends nothing more
    await outbox_worker.drain_all(app)
    for chat in (1001, 1002):
        got = received(api, chat, "Doors open")
        assert len(got) == 1 and "<b>Jazz Night</b>" in got[0].text and "&lt;sharp&gt;" in got[0].text
    assert received(api, ADMIN_ID, "Delivered: 2 of 3")
    # The draft is gone: the admin's next message is an ordinary one.
    await admin.send("hello")
    assert admin.screen().startswith("🔎"), "an ordinary message is a search"


async def test_notifications_are_paced(app, api, user, db, add_event, monkeypatch):
    monkeypatch.setattr(outbox_worker, "SEND_RATE", 50)
    await outbox_worker.stop_worker(app)  # one sender, so the sends below are its own
    event = await add_event("Jazz Night", hall="3x5")
    attendees = [1001 + i for i in range(5)]
    for i, uid in enumerate(attendees):
        await book(db, uid, event.id, [f"A{i + 1}"])
    admin = user(ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    await admin.tap("Cancel event")
    await admin.tap("Yes, cancel the event")
    await outbox_worker.drain_all(app)
    sent = [c.at for c in api.sent("sendMessage") if c.chat_id in attendees]
    assert len(sent) == 5
    # Never faster than SEND_RATE: each send waits its turn after the one before (a slow machine
    # only widens the gaps).
    assert min(b - a for a, b in zip(sent, sent[1:])) >= 1 / 50 - 0.001


async def test_new_poster_and_category_for_a_published_event(app, api, user, db, add_event):
    from tests.test_admin_wizard import jpeg, photo_message

    await add_event("Jazz Night", hall="3x5")
    admin = user(ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    await admin.tap("Edit a field")
    await admin.tap("Category")
    await admin.tap("Cinema")
    assert "#cinema" in admin.screen() and "Saved" in admin.screen()
    await admin.tap("Edit a field")
    await admin.tap("Poster")
    await admin.send("not a picture")
    assert "I need a picture" in admin.screen()
    await admin.send(**photo_message(api, jpeg((1600, 900))))
    assert "Saved" in admin.screen()
    alice = user(1001, "Alice")
    await alice.send("/events")
    await alice.tap("Jazz Night")
    assert alice.last()["photo"]  # attendees see the new poster
    async with db.read() as session:
        stored = (await session.execute(select(Event))).scalar_one()
    assert stored.category == "cinema" and stored.poster_id is not None


async def announcement_draft(db) -> tuple[str, dict]:
    async with db.read() as session:
        draft = (await session.execute(select(EventDraft).where(EventDraft.admin_id == ADMIN_ID))).scalar_one()
    return draft.step, draft.data


async def test_an_announcement_delivered_three_times_asks_once(app, api, user, db, add_event):
    event = await add_event("Jazz Night", hall="3x5")
    await book(db, 1001, event.id, ["A1"], name="Alice")
    admin = user(ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    await admin.tap("Message attendees")
    start = len(api.calls)
    message = admin.message_update("Doors open at 18:00")
    for _ in range(3):  # the same update_id each time: a webhook retry, or polling after a crash
        await app.process_update(message)
    to_admin = [c for c in api.calls[start:] if c.chat_id == ADMIN_ID]
    assert [c.method for c in to_admin] == ["sendMessage"]
    assert "This goes to 1 attendee(s)" in to_admin[0].text and "Doors open at 18:00" in to_admin[0].text
    assert await announcement_draft(db) == (drafts.ANNOUNCE_CONFIRM, {"text": "Doors open at 18:00"})
    await admin.tap("Send")
    await outbox_worker.drain_all(app)
    assert len(received(api, 1001, "Doors open")) == 1


async def test_an_announcement_too_long_or_blank_is_explained_and_asked_again(app, api, user, db, add_event):
    event = await add_event("Jazz Night", hall="3x5")
    await book(db, 1001, event.id, ["A1"], name="Alice")
    admin = user(ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    await admin.tap("Message attendees")
    await admin.send("x" * (drafts.ANNOUNCE_MAX + 1))
    assert "3501 characters long" in admin.screen() and "the limit is 3500" in admin.screen(), admin.screen()
    # Formatting counts: what goes out is HTML, and it must fit in one message with the title.
    bold = "y" * (drafts.ANNOUNCE_MAX - 3)
    await admin.send(bold, entities=[{"type": "bold", "offset": 0, "length": len(bold)}])
    assert f"{drafts.ANNOUNCE_MAX + 4} characters long" in admin.screen(), admin.screen()
    for blank in ("\u200b\u200b", "\u2800", "\u202e", "\u3164"):
        await admin.send(blank)
        assert t("en", "adm.bad.announce") in admin.screen(), admin.screen()
    assert not [c for c in api.sent("sendMessage", ADMIN_ID) if "This goes to" in c.text]
    assert await announcement_draft(db) == (drafts.ANNOUNCE, {})
    await admin.send("x" * drafts.ANNOUNCE_MAX)  # at the limit: fine
    assert "This goes to 1 attendee(s)" in admin.screen()
    assert (await announcement_draft(db))[0] == drafts.ANNOUNCE_CONFIRM


async def test_an_old_change_button_of_a_cancelled_event_changes_nothing(app, api, user, db, add_event):
    event = await add_event("Jazz Night")
    admin = user(ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    await admin.tap("Edit a field")
    field_screen = admin.last()
    await open_card(admin, "Jazz Night")
    await admin.tap("Cancel event")
    await admin.tap("Yes, cancel")
    await admin.tap("Title", message=field_screen)  # a button from before the cancellation
    assert "cancelled" in admin.screen().lower() and not admin.has_button("Edit a field")
    await admin.send("A new title")
    async with db.read() as session:
        assert (await session.get(Event, event.id)).title == "Jazz Night"
