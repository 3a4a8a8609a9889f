"""/events filters: today, this weekend, this week (in the bot's TIMEZONE), a category, free entry;
each edits the same message and survives ◀ ▶ and the card's Back."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from db import events as events_rules
from db.events import EventFilter, time_window
from tests.conftest import future

ALMATY = ZoneInfo("Asia/Almaty")


def entries(user) -> list[str]:
    return [b["text"].split(" · ")[1] for row in user.last()["reply_markup"]["inline_keyboard"] for b in row
            if b.get("callback_data", "").startswith("ev:card:")]


async def press(user, label: str):
    """Tap the button whose text is exactly `label` (event titles contain "Free" too)."""
    data = next(b["callback_data"] for b in user.buttons() if b["text"] == label)
    return await user.tap(data=data)


def next_wednesday_noon() -> datetime:
    """A Wednesday 12:00 in Almaty, a week or two ahead: the moment the bot believes it is."""
    day = (datetime.now(ALMATY) + timedelta(days=7)).date()
    day += timedelta(days=(2 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 12, tzinfo=ALMATY)


def local(base: datetime, days: int, hour: int, minute: int = 0) -> datetime:
    day = base.date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ALMATY)


def test_windows_are_counted_in_the_bots_time_zone():
    now = next_wednesday_noon()
    utc = ZoneInfo("UTC")
    assert time_window("today", now, "Asia/Almaty") == (now, local(now, 1, 0).astimezone(utc))
    assert time_window("week", now, "Asia/Almaty") == (now, local(now, 5, 0).astimezone(utc))
    assert time_window("weekend", now, "Asia/Almaty") == (local(now, 3, 0).astimezone(utc),
                                                           local(now, 5, 0).astimezone(utc))
    sunday = local(now, 4, 15)  # on a Sunday the weekend is what is left of it
    assert time_window("weekend", sunday, "Asia/Almaty") == (sunday, local(now, 5, 0).astimezone(utc))
    assert time_window("all", now, "Asia/Almaty") == (now, None)


def test_a_forged_filter_reads_as_all():
    assert EventFilter("tomorrow", "opera", True) == EventFilter("all", "all", True)


@pytest.fixture
def frozen_now(monkeypatch) -> datetime:
    now = next_wednesday_noon()
    monkeypatch.setattr(events_rules, "utcnow", lambda: now.astimezone(ZoneInfo("UTC")))
    return now


async def test_today_weekend_and_week_follow_local_days(user, add_event, frozen_now):
    now = frozen_now
    await add_event("Morning (over)", starts_at=local(now, 0, 11))
    await add_event("Wed evening", starts_at=local(now, 0, 18))
    await add_event("Thu talk", starts_at=local(now, 1, 19))
    await add_event("Sat show", starts_at=local(now, 3, 20))
    await add_event("Sun late", starts_at=local(now, 4, 23, 30))
    # 03:00 on Monday in Almaty is still Sunday in UTC: a weekend counted in UTC would take it.
    await add_event("Mon small hours", starts_at=local(now, 5, 3))
    alice = user()

    await alice.send("/events")
    first = alice.last()["message_id"]
    assert entries(alice) == ["Wed evening", "Thu talk", "Sat show", "Sun late", "Mon small hours"]
    await press(alice, "Today")
    assert entries(alice) == ["Wed evening"]
    assert "Showing: today" in alice.screen() and alice.has_button("✓ Today")
    await press(alice, "Weekend")
    assert entries(alice) == ["Sat show", "Sun late"]
    await press(alice, "This week")
    assert entries(alice) == ["Wed evening", "Thu talk", "Sat show", "Sun late"]
    await press(alice, "✓ This week")  # a second tap turns it off
    assert len(entries(alice)) == 5 and "Showing" not in alice.screen()
    assert alice.last()["message_id"] == first, "filters edit the same message"


async def test_category_and_free_survive_paging_and_back_from_a_card(api, user, add_event):
    for day in range(1, 8):
        await add_event(f"Free concert {day}", starts_at=future(days=day), price_minor=0)
    for day in range(1, 4):
        await add_event(f"Paid concert {day}", starts_at=future(days=day, hour=20))
        await add_event(f"Free comedy {day}", starts_at=future(days=day, hour=21), price_minor=0, category="comedy")
    alice = user()

    await alice.send("/events")
    first = alice.last()["message_id"]
    assert "page 1 of 3" in alice.screen()
    await press(alice, "Free")
    assert "page 1 of 2" in alice.screen() and "Showing: free entry" in alice.screen()
    await press(alice, "🏷 All categories")
    assert "Which kind of event?" in alice.screen()
    await press(alice, "🎵 Concert")
    assert "page 1 of 2" in alice.screen() and "Showing: 🎵 Concert · free entry" in alice.screen()
    assert entries(alice) == [f"Free concert {d}" for d in range(1, 6)]
    assert alice.has_button("✓ Free") and alice.has_button("🏷 🎵 Concert")

    await press(alice, "▶")
    assert "page 2 of 2" in alice.screen()
    assert entries(alice) == ["Free concert 6", "Free concert 7"]
    await alice.tap("Free concert 7")
    assert "<b>Free concert 7</b>" in alice.screen()
    await press(alice, "◀ Back")
    assert "page 2 of 2" in alice.screen() and "Showing: 🎵 Concert · free entry" in alice.screen()
    assert entries(alice) == ["Free concert 6", "Free concert 7"]
    await press(alice, "◀")
    assert entries(alice) == [f"Free concert {d}" for d in range(1, 6)]
    assert alice.last()["message_id"] == first and len(api.chat(alice.id)) == 1

    await press(alice, "✓ Free")  # off again: the category stays
    assert "Showing: 🎵 Concert" in alice.screen() and "page 1 of 2" in alice.screen()  # 10 concerts
    await press(alice, "🎟 All events")
    assert "page 1 of 3" in alice.screen() and "Showing" not in alice.screen()


async def test_a_filter_nothing_matches_says_so_and_offers_all_events(user, add_event):
    await add_event("Paid gig")
    alice = user()
    await alice.send("/events")
    await press(alice, "Free")
    assert "No upcoming events match this filter (free entry)" in alice.screen()
    await press(alice, "🎟 All events")
    assert entries(alice) == ["Paid gig"]


async def test_old_list_buttons_without_a_filter_still_work(user, add_event):
    await add_event("Jazz Night")
    alice = user()
    await alice.send("/events")
    await alice.tap(data="ev:list:0")
    assert entries(alice) == ["Jazz Night"]
    event_data = alice.button("Jazz Night")["callback_data"]
    await alice.tap(data=":".join(event_data.split(":")[:4]))  # "ev:card:<id>:<page>", as before filters
    assert "<b>Jazz Night</b>" in alice.screen()
