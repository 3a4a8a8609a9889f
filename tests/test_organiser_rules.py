"""Organiser rules found in review: whose events an admin manages, when the hall may change, a
forgotten edit, halls and prices that can't be stored, posters Telegram would refuse."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from views.admin import problem_text
from db.money import parse_money
from views.texts import language_for
from db import drafts
from db.booking import cancel
from db.hall import HallError, parse_hall
from db.models import Booking, Event, EventDraft, utcnow
from images.posters import PosterError, process
from tests.conftest import ADMIN_ID
from tests.driver import User
from tests.test_admin_manage import book, open_card

OTHER_ADMIN = 900002


async def test_an_admin_cannot_see_or_cancel_another_admins_event(make_app, api, db, add_event):
    app = await make_app(admin_ids=frozenset({ADMIN_ID, OTHER_ADMIN}))
    event = await add_event("Olga's Gala", hall="2x2", created_by=ADMIN_ID)
    await book(db, 1001, event.id, ["A1"], name="Alice")
    intruder = User(app, api, OTHER_ADMIN, "Ivan")
    await intruder.send("/myevents")
    assert "Olga's Gala" not in str(intruder.last())
    for data in (f"adm:att:{event.id}:0", f"adm:cok:{event.id}", f"adm:card:{event.id}", f"adm:csv:{event.id}"):
        await intruder.tap(data=data)
        assert "out of date" in intruder.screen() and "Alice" not in intruder.screen()
    assert not api.sent("sendDocument")
    async with db.read() as session:
        assert (await session.get(Event, event.id)).status == "published"
        assert (await session.execute(select(Booking.status))).scalars().all() == ["confirmed"]


async def test_hall_stays_once_anyone_booked_even_if_they_cancelled(app, api, db, user, add_event):
    event = await add_event("Jazz Night", hall="3x5")
    await book(db, 1001, event.id, ["A1"])
    async with db.write() as session:
        booking_id = (await session.execute(select(Booking.id))).scalar_one()
        assert (await cancel(session, user_id=1001, booking_id=booking_id)).outcome.value == "cancelled"
    admin = user(ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    await admin.tap("Edit a field")
    await admin.tap("Hall")
    assert "hall can't change" in admin.screen()
    async with db.read() as session:
        assert (await session.execute(select(func.count(Booking.id)))).scalar_one() == 1  # history kept


async def test_a_forgotten_edit_does_not_swallow_a_later_message(app, api, db, user, add_event):
    event = await add_event("Jazz Night", hall="3x5")
    admin = user(ADMIN_ID, "Olga")
    await open_card(admin, "Jazz Night")
    await admin.tap("Edit a field")
    await admin.tap("Title")
    async with db.write() as session:  # ...and the admin walks away for an hour
        await session.execute(update(EventDraft).values(updated_at=utcnow() - timedelta(hours=1)))
    await admin.send("thanks!")
    async with db.read() as session:
        assert (await session.get(Event, event.id)).title == "Jazz Night"
    assert admin.screen().startswith("🔎 Nothing found for «thanks!»"), "an ordinary message (a search), not a title"


def test_row_labels_that_would_give_two_seats_one_name_are_refused_in_the_admins_language():
    with pytest.raises(HallError) as caught:
        parse_hall("1:12 11:5")  # seat 11 of row 1 and seat 1 of row 11 would both be "111"
    assert caught.value.key == "ambiguous"
    with pytest.raises(drafts.Invalid) as invalid:
        drafts.read_answer("hall", "1:12 11:5", tz="Asia/Almaty")
    assert "одно название" in problem_text("ru", "hall", invalid.value.reason)
    with pytest.raises(drafts.Invalid) as invalid:
        drafts.read_answer("hall", "61x10", tz="Asia/Almaty")
    assert "от 1 до 60 рядов" in problem_text("ru", "hall", invalid.value.reason)
    assert "between 1 and 60 rows" in problem_text("en", "hall", invalid.value.reason)


def test_a_price_too_big_to_store_is_a_wrong_answer_not_a_crash():
    assert parse_money("21474836.47", "KZT") == 2**31 - 1
    with pytest.raises(ValueError):
        parse_money("30000000", "KZT")


def test_a_poster_telegram_would_refuse_is_refused_at_upload():
    out = io.BytesIO()
    Image.new("RGB", (5000, 200), (10, 20, 30)).save(out, "PNG")
    with pytest.raises(PosterError) as caught:
        process(out.getvalue())
    assert caught.value.reason == "bad_shape"
    assert "20:1" in problem_text("en", "poster", "bad_shape")


def test_a_language_we_dont_speak_gets_the_configured_default():
    assert language_for("de", "ru") == "ru" and language_for("de", "en") == "en"
    assert language_for("kk", "en") == "ru" and language_for("en-GB", "ru") == "en"


NEW_YEAR_2026 = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, zone", [("29.03.2026 02:30", "Europe/Berlin"), ("29.03.2026 02:00", "Europe/Berlin"),
                                        ("2026-03-08 02:59", "America/New_York")])
def test_a_local_time_the_clocks_skip_is_refused_not_shifted(text, zone):
    with pytest.raises(drafts.Invalid) as caught:
        drafts.parse_when(text, zone, now=NEW_YEAR_2026)
    assert (caught.value.field, caught.value.reason) == ("when", "gap")
    hint = problem_text("en", "when", "gap", caught.value.details)
    assert f"There is no {text[-5:]} on" in hint and zone in hint and "clocks jump forward" in hint
    assert f"не бывает {text[-5:]}" in problem_text("ru", "when", "gap", caught.value.details)


def test_the_hours_around_a_clock_change_are_read_as_written():
    berlin = ZoneInfo("Europe/Berlin")
    for text in ("29.03.2026 01:59", "29.03.2026 03:00", "25.10.2026 01:30", "25.10.2026 03:00"):
        starts = drafts.parse_when(text, "Europe/Berlin", now=NEW_YEAR_2026)
        assert starts.astimezone(berlin).strftime("%d.%m.%Y %H:%M") == text
    # 02:30 on the autumn night happens twice: the first one (still summer time, UTC+2) is taken.
    assert drafts.parse_when("25.10.2026 02:30", "Europe/Berlin", now=NEW_YEAR_2026) == \
        datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("blank", ["\u200b", "\u2800", "\u202e\u202c", "\u3164", "\ufeff \u00a0\u2028", "\u0301"])
def test_text_answers_with_nothing_visible_are_empty(blank):
    for field in ("title", "description", "venue", "address"):
        with pytest.raises(drafts.Invalid) as caught:
            drafts.read_answer(field, blank, tz="Asia/Almaty")
        assert caught.value.reason == "empty"
    with pytest.raises(drafts.Invalid) as caught:
        drafts.read_announcement(f"<b>{blank}</b>")
    assert caught.value.reason == "empty"
    # Visible text with those characters in it is the admin's business.
    assert drafts.read_answer("title", f"Jazz{blank}Night", tz="Asia/Almaty") == {"title": f"Jazz{blank}Night"}
    assert drafts.read_answer("title", "é", tz="Asia/Almaty") == {"title": "é"}


def test_a_shared_place_with_an_invisible_name_is_named_by_its_address():
    place = drafts.Venue("\u200b", "Abay Ave 43", 43.2, 76.9)
    assert drafts.read_answer("venue", place, tz="Asia/Almaty") == {"venue_name": "Abay Ave 43",
                                                                  "venue_address": "Abay Ave 43"}
    nowhere = drafts.Venue("\u2800", "\u202e", 43.2, 76.9)
    assert drafts.read_answer("venue", nowhere, tz="Asia/Almaty") == {"venue_name": "43.20000, 76.90000",
                                                                    "venue_address": "43.20000, 76.90000"}


def test_an_announcement_too_long_says_how_long():
    with pytest.raises(drafts.Invalid) as caught:
        drafts.read_announcement("a &amp; b " * 400)
    assert caught.value.reason == "too long" and caught.value.details == {"length": len(("a &amp; b " * 400).strip())}
    assert "limit is 3500" in problem_text("en", "announce", "too long", caught.value.details)
