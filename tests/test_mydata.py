"""/settings, /mydata and /forgetme: everything kept about a user as a file, and erasing it for good."""
from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import JSON, String, Text, func, select

from bot import outbox as outbox_worker
from db import inbox, outbox
from db.models import Base, Booking, EventDraft, InboxBase, InboxUpdate, User
from db.users import ANONYMOUS_BELOW, DELETED_NAME
from tests.conftest import ADMIN_ID
from tests.driver import answers
from tests.helpers import active_bookings, book_seat, move_event, past, seats_of, stored_language

FIRST, LAST, USERNAME = "Zenobia", "Quixote", "zq_private"


@pytest.fixture(autouse=True)
def no_pacing(monkeypatch):
    monkeypatch.setattr(outbox_worker, "SEND_RATE", 10_000)


def documents(calls) -> list:
    return [c for c in calls if c.method == "sendDocument"]


def exported(call) -> dict:
    (data,) = call.files.values()
    return json.loads(data.decode("utf-8"))


async def texts_everywhere(db) -> list[str]:
    """Every text, string and JSON value of every table, the inbox's too, as strings."""
    found: list[str] = []
    for metadata, engine in ((Base.metadata, db.engine), (InboxBase.metadata, db.inbox_engine)):
        async with engine.connect() as connection:
            for table in metadata.sorted_tables:
                columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
                if columns:
                    rows = await connection.execute(select(*columns))
                    found += [json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
                              for row in rows for v in row if v is not None]
    return found


async def test_mydata_sends_the_users_bookings_and_nobody_elses(app, api, user, db, add_event):
    event = await add_event("Jazz Night", hall="3x5", price_minor=500000)
    seats = await seats_of(db, event.id)
    alice = user(1001, "Alice", username="alice_a")
    bob = user(1002, "Bobby", username="bobby_b", last_name="Brown")
    await book_seat(alice, event.id, seats["B3"])
    await book_seat(bob, event.id, seats["A1"])

    calls = await alice.send("/mydata")
    (document,) = documents(calls)
    assert document.chat_id == 1001
    assert list(document.file_names.values()) == ["eventbot-mydata-1001.json"]
    assert "1 booking(s)" in document.params["caption"]
    data = exported(document)
    assert data["user_id"] == 1001
    assert data["account"]["first_name"] == "Alice" and data["account"]["username"] == "alice_a"
    assert data["account"]["language"] == "en" and data["account"]["created_at"].endswith("+00:00")
    (booking,) = data["bookings"]
    assert booking["event"] == "Jazz Night" and booking["seat"] == "B3" and booking["status"] == "confirmed"
    assert booking["price"] == "5000.00" and booking["price_minor"] == 500000 and booking["currency"] == "KZT"
    assert booking["event_starts_at"].endswith("+05:00")  # the event's own zone, Asia/Almaty
    assert booking["cancelled_at"] is None and data["drafts"] == [] and data["events_created"] == []
    raw = next(iter(document.files.values())).decode("utf-8")
    assert not any(word in raw for word in ("Bobby", "Brown", "bobby_b", "1002", "A1"))


async def test_an_organisers_export_has_their_drafts_events_and_messages(app, api, user, db, add_event):
    await add_event("Mine", created_by=ADMIN_ID)
    await add_event("Someone else's", created_by=ADMIN_ID + 1)
    admin = user(ADMIN_ID, "Olga")
    await admin.send("/addevent")
    await admin.send("Winter Gala")
    async with db.write() as session:
        await outbox.enqueue(session, [outbox.Letter("test:1", ADMIN_ID, "A note for Olga")])
    data = exported(documents(await admin.send("/mydata"))[0])
    assert [e["title"] for e in data["events_created"]] == ["Mine"]
    assert [d["answers"].get("title") for d in data["drafts"]] == ["Winter Gala"]
    assert [n["text"] for n in data["messages_to_you"]] == ["A note for Olga"]


async def test_settings_gathers_language_my_data_and_forget_me(app, api, user):
    alice = user()
    await alice.send("/settings")
    assert "Settings" in alice.screen()
    assert [b["text"] for b in alice.buttons()] == ["🌐 Язык / Language", "📦 My data", "🗑 Forget me", "🏠 Menu"]
    calls = await alice.tap("My data")
    assert len(documents(calls)) == 1
    await alice.send("/settings")
    await alice.tap("Language")
    assert "Choose your language" in alice.screen()
    commands = [c for c in api.sent("setMyCommands")]
    assert commands and all("settings" in str(c.params["commands"]) for c in commands)


async def test_no_keeps_everything(app, api, user, db, add_event):
    event = await add_event("Jazz Night")
    seats = await seats_of(db, event.id)
    zenobia = user(2001, FIRST, username=USERNAME, last_name=LAST)
    await book_seat(zenobia, event.id, seats["A1"])
    await zenobia.send("/settings")
    await zenobia.tap("Forget me")
    assert "Forget me?" in zenobia.screen() and "1 upcoming booking(s)" in zenobia.screen()
    await zenobia.tap("No, keep my data")
    assert "Settings" in zenobia.screen()
    assert await active_bookings(db, event.id) == [(2001, seats["A1"], "A1")]
    async with db.read() as session:
        stored = await session.get(User, 2001)
    assert (stored.first_name, stored.last_name, stored.username) == (FIRST, LAST, USERNAME)


async def test_forgetme_frees_seats_tells_the_organiser_and_leaves_no_name(app, api, user, db, add_event):
    event = await add_event("Jazz Night", hall="3x5", created_by=ADMIN_ID)
    earlier = await add_event("Old Show", hall="2x2", created_by=ADMIN_ID)
    seats, old_seats = await seats_of(db, event.id), await seats_of(db, earlier.id)
    olga = user(ADMIN_ID, "Olga")
    await olga.send("/start")
    zenobia = user(2001, FIRST, language_code="ru", username=USERNAME, last_name=LAST)
    await zenobia.send("/language")
    await zenobia.tap("English")  # her choice, over Telegram's "ru"
    await book_seat(zenobia, event.id, seats["A1"])
    await book_seat(zenobia, event.id, seats["A2"])
    await book_seat(zenobia, earlier.id, old_seats["B2"])
    await move_event(db, earlier.id, past(hours=48))  # a past booking: history the organiser keeps
    # What else holds her name: a stored update in the inbox, a message owed to her, a draft.
    stored_update = zenobia.message_update("/start")
    async with db.queue() as session:
        await inbox.store(session, [inbox.Delivered(stored_update.update_id, 2001, stored_update.to_dict())])
    async with db.write() as session:
        await outbox.enqueue(session, [outbox.Letter("test:hi", 2001, f"Hello {FIRST} {LAST}")])
        session.add(EventDraft(admin_id=2001, kind="new", step="title", data={"title": f"{FIRST}'s party"}))
    assert any(FIRST in text for text in await texts_everywhere(db))

    await zenobia.send("/forgetme")
    assert "2 upcoming booking(s)" in zenobia.screen()
    calls = await zenobia.tap("Yes, forget me")
    assert answers(calls) and "forgotten you" in zenobia.screen()
    assert "2 upcoming booking(s) cancelled; 1 past booking(s)" in zenobia.screen()

    # Her seats are free at once: someone else books one.
    bob = user(1002, "Bob")
    await book_seat(bob, event.id, seats["A1"])
    assert await active_bookings(db, event.id) == [(1002, seats["A1"], "A1")]
    # The organiser is told, once, without her name.
    await outbox_worker.drain_all(app)
    told = [c for c in api.sent("sendMessage", ADMIN_ID) if "left the bot" in c.text]
    assert len(told) == 1 and "Jazz Night" in told[0].text and "A1, A2" in told[0].text
    assert not [c for c in api.sent("sendMessage", 2001) if "Hello" in c.text]  # owed to her: dropped, not sent

    # No table holds her first name, last name or username; the past booking is kept under no name.
    everything = await texts_everywhere(db)
    for word in (FIRST, LAST, USERNAME):
        assert not [text for text in everything if word in text], word
    async with db.queue_read() as session:
        assert (await session.get(InboxUpdate, stored_update.update_id)).payload is None
    async with db.read() as session:
        assert await session.get(User, 2001) is None
        kept = (await session.execute(select(Booking.user_id, Booking.status)
                                      .where(Booking.event_id == earlier.id))).all()
        assert (await session.execute(select(func.count()).select_from(EventDraft))).scalar_one() == 0
    assert len(kept) == 1 and kept[0].user_id < ANONYMOUS_BELOW and kept[0].status == "confirmed"
    # The organiser's list and CSV show the anonymous name.
    await olga.send("/myevents")
    await olga.tap("Old Show")
    await olga.tap("Attendees")
    assert DELETED_NAME in olga.screen()
    await olga.tap("Event")
    (document,) = documents(await olga.tap("CSV"))
    rows = list(csv.DictReader(io.StringIO(next(iter(document.files.values())).decode("utf-8-sig"))))
    assert [(r["seat"], r["name"], r["username"]) for r in rows] == [("B2", DELETED_NAME, "")]

    # She is new to the bot now: greeted from Telegram's data, in Telegram's language, with nothing kept.
    await zenobia.send("/start")
    assert zenobia.screen().startswith(f"Привет, {FIRST}!")
    assert await stored_language(db, 2001) == "ru"
    data = exported(documents(await zenobia.send("/mydata"))[0])
    assert data["bookings"] == [] and data["drafts"] == [] and data["messages_to_you"] == []


async def test_a_redelivered_forget_tap_changes_nothing(app, api, user, db, add_event):
    event = await add_event("Jazz Night", created_by=ADMIN_ID)
    seats = await seats_of(db, event.id)
    zenobia = user(2001, FIRST)
    await book_seat(zenobia, event.id, seats["A1"])
    await zenobia.send("/forgetme")
    tap = zenobia.tap_update(next(b["callback_data"] for b in zenobia.buttons() if "Yes" in b["text"]))
    await app.process_update(tap)
    await book_seat(user(1002, "Bob"), event.id, seats["A1"])
    await app.process_update(tap)  # a webhook retry
    assert "already" in zenobia.screen()
    assert await active_bookings(db, event.id) == [(1002, seats["A1"], "A1")]
    async with db.read() as session:
        queued = (await session.execute(select(func.count()).select_from(outbox.OutboxMessage))).scalar_one()
    assert queued == 1  # one notice to the organiser, not two
