"""The organiser's /addevent wizard through the real Application: every step, wrong answers, /cancel,
a restart in the middle, and who may use it at all."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import func, select

from views.texts import t
from db.models import Event, EventDraft, Poster
from tests.conftest import ADMIN_ID
from tests.driver import User

TZ = ZoneInfo("Asia/Almaty")


def local_date(days: int = 30, time: str = "19:00", fmt: str = "%d.%m.%Y") -> str:
    return (datetime.now(TZ) + timedelta(days=days)).strftime(fmt) + " " + time


def jpeg(size=(1200, 800), color=(30, 60, 200), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=80, **save)
    return out.getvalue()


def photo_message(api, data: bytes, width: int = 1280, height: int = 853) -> dict:
    file = api.add_file(data)
    return {"photo": [{**file, "width": width, "height": height}]}


async def count(db, model) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def answer_all(admin: User, api, *, title="Jazz <Night> & Friends", poster: bytes | None = None) -> None:
    """From /addevent to the preview, with good answers."""
    await admin.send("/addevent")
    assert "Step 1 of 9" in admin.screen()
    await admin.send(title)
    assert "Step 2 of 9" in admin.screen()
    await admin.send("An evening of standards.")
    assert "Step 3 of 9" in admin.screen()
    await admin.tap("Concert")
    assert "Step 4 of 9" in admin.screen() and "25.12.2026 19:00" in admin.screen()
    await admin.send(local_date(30, "19:30"))
    assert "Step 5 of 9" in admin.screen()
    await admin.send("Rhapsody Club")
    assert "Step 6 of 9" in admin.screen()
    await admin.send("Abay Ave 43, Almaty")
    assert "Step 7 of 9" in admin.screen()
    await admin.send("A:4 B:5 C:6")
    assert "Step 8 of 9" in admin.screen()
    await admin.send("5 000 KZT")
    assert "Step 9 of 9" in admin.screen()
    if poster is None:
        await admin.tap("No poster")
    else:
        await admin.send(**photo_message(api, poster))


async def test_whole_wizard_publishes_an_event_visible_in_events(app, api, user, db):
    admin = user(ADMIN_ID, "Olga")
    await answer_all(admin, api, poster=jpeg())
    # The preview is the attendee's card, the admin's typing escaped, with the poster.
    card = admin.last()
    assert card["photo"]
    assert "<b>Jazz &lt;Night&gt; &amp; Friends</b>" in card["caption"]
    assert "Rhapsody Club, Abay Ave 43, Almaty" in card["caption"]
    assert "5\u00a0000\u00a0₸" in card["caption"] and "15 of 15 seats free" in card["caption"]
    assert "#concert" in card["caption"]
    assert [b["text"] for b in admin.buttons()] == ["✅ Publish", "✏️ Edit", "🗑 Discard"]
    # The preview uploaded the picture once; Telegram's file_id is kept for every later card.
    async with db.read() as session:
        poster = (await session.execute(select(Poster))).scalar_one()
    assert poster.telegram_file_id
    assert max(poster.width, poster.height) <= 1280

    await admin.tap("Publish")
    assert "Published" in admin.screen()
    assert await count(db, EventDraft) == 0
    async with db.read() as session:
        event = (await session.execute(select(Event))).scalar_one()
    assert event.title == "Jazz <Night> & Friends" and event.created_by == ADMIN_ID
    assert event.starts_at.astimezone(TZ).strftime("%H:%M") == "19:30"  # read in the configured zone
    assert event.starts_at.tzinfo == timezone.utc and event.starts_at.hour == 14  # stored as UTC

    alice = user(1001, "Alice")
    await alice.send("/events")
    assert alice.has_button("Jazz <Night> & Friends")
    sends_before = len(api.sent("sendPhoto"))
    await alice.tap("Jazz <Night>")
    photo = api.sent("sendPhoto")[sends_before].params["photo"]
    assert photo == poster.telegram_file_id  # not uploaded again
    assert "15 of 15 seats free" in alice.screen()
    await alice.tap("Book a seat")
    assert alice.has_button("6")  # row C has six seats


async def test_both_common_date_forms_and_a_shared_place(app, api, user, db):
    admin = user(ADMIN_ID, "Olga")
    await admin.send("/addevent")
    await admin.send("Open Mic")
    await admin.send("Ten comedians.")
    await admin.send("comedy")  # a category may be typed too
    await admin.send(local_date(40, "20:00", "%Y-%m-%d"))
    venue = {"location": {"latitude": 43.2389, "longitude": 76.9455},
             "title": "Dom Kino", "address": "Dostyk Ave 82"}
    await admin.send(venue=venue, location=venue["location"])
    assert "Step 7 of 9" in admin.screen()  # the place answered the address as well
    await admin.send("5x8")
    await admin.send("0")
    await admin.tap("No poster")
    assert "Dom Kino, Dostyk Ave 82" in admin.screen() and "Free" in admin.screen()
    await admin.tap("Publish")
    async with db.read() as session:
        event = (await session.execute(select(Event))).scalar_one()
    assert event.starts_at.astimezone(TZ).strftime("%H:%M") == "20:00"
    assert event.poster_id is None and event.price_minor == 0


@pytest.mark.parametrize("title", ["", "x" * 201])
async def test_bad_answer_at_each_step_is_explained_and_asked_again(app, api, user, db, title):
    admin = user(ADMIN_ID, "Olga")
    await admin.send("/addevent")

    async def wrong(step: int, expected: str, **message) -> None:
        await admin.send(**message)
        screen = admin.screen()
        assert expected in screen, screen
        assert f"Step {step} of 9" in screen, screen  # the same question again

    if title:
        await wrong(1, "up to 200 characters", text=title)
    await wrong(1, "up to 200 characters", sticker={"file_id": "s", "file_unique_id": "s", "type": "regular",
                                                     "width": 512, "height": 512, "is_animated": False,
                                                     "is_video": False})
    await admin.send("Jazz Night")
    await wrong(2, "up to 3000 characters", text="d" * 3001)
    await admin.send("Live jazz.")
    await wrong(3, "pick one of the categories", text="banana")
    await admin.tap("Theatre")
    await wrong(4, "couldn't read that", text="next friday evening")
    await wrong(4, "already passed", text="01.01.2020 19:00")
    await wrong(4, "three years", text=local_date(365 * 5))
    await admin.send(local_date(10))
    await wrong(5, "venue's name", location={"latitude": 43.2, "longitude": 76.9})
    await admin.send("Rhapsody")
    await wrong(6, "address as text", text="a" * 301)
    await admin.send(location={"latitude": 43.23891, "longitude": 76.94552})  # a pin is a fine address
    await wrong(7, "couldn't build a hall", text="100x100")
    await wrong(7, "couldn't build a hall", text="A:10 A:12")
    await admin.send("10x12")
    await wrong(8, "as a number", text="free")
    await wrong(8, "KZT, RUB, USD, EUR", text="10 GBP")
    await admin.send("12.50 USD")
    await wrong(9, "I need a picture", text="here is the poster")
    await admin.tap("No poster")
    assert "43.23891, 76.94552" in admin.screen() and "$" in admin.screen()
    async with db.read() as session:
        draft = (await session.execute(select(EventDraft))).scalar_one()
    assert draft.step == "preview" and draft.data["price_minor"] == 1250 and draft.data["hall"] == "10x12"


async def test_edit_from_preview_jumps_to_one_field_and_back(app, api, user, db):
    admin = user(ADMIN_ID, "Olga")
    await answer_all(admin, api)
    await admin.tap("Edit")
    await admin.tap("Hall")
    assert "Step 7 of 9" in admin.screen()
    await admin.send("2x3")
    assert "6 of 6 seats free" in admin.screen()  # straight back to the preview
    await admin.tap("Edit")
    await admin.tap("Title")
    await admin.send("Jazz Morning")
    assert "<b>Jazz Morning</b>" in admin.screen()
    await admin.tap("Publish")
    async with db.read() as session:
        event = (await session.execute(select(Event))).scalar_one()
    assert event.title == "Jazz Morning"


async def test_cancel_at_any_step_leaves_nothing_half_written(app, api, user, db):
    admin = user(ADMIN_ID, "Olga")
    await answer_all(admin, api, poster=jpeg())
    assert await count(db, Poster) == 1
    await admin.send("/cancel")
    assert admin.screen() == t("en", "adm.cancelled")
    assert await count(db, EventDraft) == 0 and await count(db, Poster) == 0 and await count(db, Event) == 0
    await admin.send("Jazz Night")  # no draft any more: an ordinary message
    assert admin.screen().startswith("🔎"), "an ordinary message is a search"
    await admin.send("/cancel")
    assert admin.screen() == t("en", "adm.nothing_to_cancel")
    # Discard from the preview does the same.
    await answer_all(admin, api, poster=jpeg())
    await admin.tap("Discard")
    assert await count(db, EventDraft) == 0 and await count(db, Poster) == 0 and await count(db, Event) == 0


async def test_restart_in_the_middle_of_the_wizard_carries_on(make_app, api, db):
    first = await make_app()
    admin = User(first, api, ADMIN_ID, "Olga")
    await admin.send("/addevent")
    await admin.send("Jazz Night")
    await admin.send("Live jazz.")
    await first.shutdown()  # the process goes away; nothing of the draft lived in it

    second = await make_app()
    admin = User(second, api, ADMIN_ID, "Olga")
    await admin.send("/addevent")
    assert "carry on" in admin.screen() and "Step 3 of 9" in admin.screen()
    await admin.tap("Concert")
    await admin.send(local_date(5))
    # A third process serving the same bot answers the next message just as well.
    third = await make_app()
    admin = User(third, api, ADMIN_ID, "Olga")
    await admin.send("Rhapsody")
    await admin.send("Abay Ave 43")
    await admin.send("3x5")
    await admin.send("0")
    await admin.tap("No poster")
    await admin.tap("Publish")
    async with db.read() as session:
        event = (await session.execute(select(Event))).scalar_one()
    assert (event.title, event.description, event.category) == ("Jazz Night", "Live jazz.", "concert")


async def test_non_admin_gets_nothing_from_admin_commands_and_buttons(app, api, user, db, add_event):
    event = await add_event("Jazz Night", hall="2x2")
    mallory = user(666, "Mallory")
    for command in ("/addevent", "/myevents", "/cancel"):
        await mallory.send(command)
        assert mallory.screen() == t("en", "unknown_command"), command
    assert await count(db, EventDraft) == 0
    await mallory.send("Jazz Night")
    assert mallory.screen().startswith("🔎"), "an ordinary message is a search"

    for data in ("adm:new", "adm:pub", "adm:cat:0", "adm:drop", f"adm:card:{event.id}", f"adm:cok:{event.id}",
                 f"adm:dok:{event.id}", f"adm:csv:{event.id}", f"adm:att:{event.id}:0", f"adm:set:{event.id}:0",
                 f"adm:ann:{event.id}", f"adm:send:{event.id}", "adm:list:0"):
        calls = await mallory.tap(data=data, message=mallory.last())
        answers = [c for c in calls if c.method == "answerCallbackQuery"]
        assert answers and answers[0].params.get("text") == t("en", "stale_alert"), data
        assert not any(c.method == "sendDocument" for c in calls)
    async with db.read() as session:
        stored = await session.get(Event, event.id)
    assert stored is not None and stored.status == "published"
    assert await count(db, EventDraft) == 0


async def test_admin_with_no_draft_and_admin_menu(app, api, user):
    admin = user(ADMIN_ID, "Olga")
    await admin.send("hello")
    assert admin.screen().startswith("🔎"), "an ordinary message is a search"
    menus = api.sent("setMyCommands")
    admin_menus = [c for c in menus if "chat" in str(c.params.get("scope"))]
    assert admin_menus and all("addevent" in str(c.params["commands"]) for c in admin_menus)


async def test_a_redelivered_answer_or_tap_counts_once(app, api, user, db):
    admin = user(ADMIN_ID, "Olga")
    await admin.send("/addevent")
    title = admin.message_update("Jazz Night")
    await app.process_update(title)
    await app.process_update(title)  # a webhook retry: must not answer the description question too
    async with db.read() as session:
        draft = (await session.execute(select(EventDraft))).scalar_one()
    assert draft.step == "description" and draft.data == {"title": "Jazz Night"}
    assert "Step 2 of 9" in admin.screen()
    for text in ("Live jazz.",):
        await admin.send(text)
    await admin.tap("Concert")
    for text in (local_date(9), "Rhapsody", "Abay Ave 43", "3x5", "0"):
        await admin.send(text)
    await admin.tap("No poster")
    publish = admin.tap_update(admin.button("Publish")["callback_data"])
    await app.process_update(publish)
    await app.process_update(publish)
    assert await count(db, Event) == 1 and await count(db, EventDraft) == 0


@pytest.mark.parametrize("blank", ["\u200b\u200b", "\u2800", "\u202e", "\u3164 \u115f\u1160\uffa0", "\u200d\u0301"])
async def test_a_title_of_only_invisible_characters_is_asked_again(app, api, user, db, blank):
    admin = user(ADMIN_ID, "Olga")
    await admin.send("/addevent")
    await admin.send(blank)
    assert "Title: there are only invisible characters" in admin.screen(), admin.screen()
    assert "Step 1 of 9" in admin.screen()
    async with db.read() as session:
        draft = (await session.execute(select(EventDraft))).scalar_one()
    assert draft.step == "title" and draft.data == {}
    await admin.send("Jazz Night")
    await admin.send(blank)  # the description, the venue and the address are read the same way
    assert "Description: there are only invisible characters" in admin.screen() and "Step 2 of 9" in admin.screen()


def spring_forward(zone: ZoneInfo) -> datetime:
    """02:30 of the next night (two days away or more) on which the zone's clocks jump from 02:00 to 03:00."""
    day = datetime.now(zone).replace(tzinfo=None, hour=2, minute=30, second=0, microsecond=0) + timedelta(days=2)
    while day.replace(hour=0, tzinfo=zone).utcoffset() >= day.replace(hour=5, tzinfo=zone).utcoffset():
        day += timedelta(days=1)
    return day


async def test_a_time_the_clocks_skip_is_asked_again(make_app, api, db):
    berlin = ZoneInfo("Europe/Berlin")
    app = await make_app(timezone="Europe/Berlin")
    admin = User(app, api, ADMIN_ID, "Olga")
    await admin.send("/addevent")
    await admin.send("Jazz Night")
    await admin.send("Live jazz.")
    await admin.tap("Concert")
    gap = spring_forward(berlin)
    await admin.send(gap.strftime("%d.%m.%Y %H:%M"))
    month = t("en", "months").split(",")[gap.month - 1]
    assert f"There is no 02:30 on {gap.day} {month} {gap.year} in Europe/Berlin" in admin.screen(), admin.screen()
    assert "Step 4 of 9" in admin.screen()
    async with db.read() as session:
        draft = (await session.execute(select(EventDraft))).scalar_one()
    assert draft.step == "when" and "starts_at" not in draft.data
    await admin.send(gap.strftime("%d.%m.%Y 03:30"))  # after the jump: a real time
    assert "Step 5 of 9" in admin.screen()
    async with db.read() as session:
        draft = (await session.execute(select(EventDraft))).scalar_one()
    starts = datetime.fromisoformat(draft.data["starts_at"])
    assert starts.astimezone(berlin).replace(tzinfo=None) == gap.replace(hour=3)


async def test_a_field_change_left_open_does_not_take_the_wizards_answer(app, api, user, db, add_event):
    """The admin taps "change the title" of a published event, goes back to their /addevent preview
    and picks Title there: what they type next is the draft's title, and the event keeps its own."""
    await add_event("Published Night")
    admin = user(ADMIN_ID, "Olga")
    await answer_all(admin, api)
    preview = admin.last()
    await admin.send("/myevents")
    await admin.tap("Published Night")
    await admin.tap("Edit a field")
    await admin.tap("Title")  # the published event's title is asked for now
    await admin.tap("Edit", message=preview)
    shown = (ADMIN_ID, preview["message_id"])  # the preview's message, edited in place from here on
    await admin.tap("Title", message=api.messages[shown])
    assert "Step 1 of 9" in api.messages[shown]["text"]
    await admin.send("Jazz Morning")
    assert "<b>Jazz Morning</b>" in admin.screen()  # back at the draft's preview
    async with db.read() as session:
        titles = set((await session.execute(select(Event.title))).scalars())
    assert titles == {"Published Night"}
