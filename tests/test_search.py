"""Search: /search or plain text outside a wizard; case-insensitive in Cyrillic, Kazakh and Latin,
title matches first, paged, with the query kept per user; admins' wizard answers stay answers."""
from __future__ import annotations

from sqlalchemy import select

from db.models import EventDraft, LastSearch
from tests.conftest import ADMIN_ID, future
from tests.helpers import past


def found(user) -> list[str]:
    return [b["text"].split(" · ")[1] for b in user.buttons() if b.get("callback_data", "").startswith("sr:card:")]


async def press(user, label: str):
    data = next(b["callback_data"] for b in user.buttons() if b["text"] == label)
    return await user.tap(data=data)


async def test_cyrillic_kazakh_and_latin_match_in_any_case(user, add_event):
    await add_event("Джаз в парке", description="Летний вечер.")
    await add_event("ҚАЗАҚ ӘНДЕРІ", description="Домбыра.", venue_name="Филармония")
    await add_event("Rock Night", description="Guitars.")
    alice = user()

    await alice.send("/search джаз")
    assert found(alice) == ["Джаз в парке"]
    await alice.send("қазақ")
    assert found(alice) == ["ҚАЗАҚ ӘНДЕРІ"]
    await alice.send("әндері филармония")  # every word, in title or venue
    assert found(alice) == ["ҚАЗАҚ ӘНДЕРІ"]
    await alice.send("rOcK")
    assert found(alice) == ["Rock Night"]
    assert "Found for «rOcK»" in alice.screen()
    await alice.send("roc")  # the start of a word is enough
    assert found(alice) == ["Rock Night"]


async def test_a_title_match_ranks_above_a_description_match(user, add_event):
    await add_event("Evening of strings", description="Then jazz standards, jazz and more.", starts_at=future(days=1))
    await add_event("Rhapsody", description="Poetry.", venue_name="Jazz Cellar", starts_at=future(days=2))
    await add_event("Jazz Night", description="A quartet.", starts_at=future(days=3))
    alice = user()
    await alice.send("jazz")
    assert found(alice) == ["Jazz Night", "Rhapsody", "Evening of strings"]


async def test_only_upcoming_published_events_are_found(user, add_event):
    await add_event("Jazz yesterday", starts_at=past(24))
    await add_event("Jazz called off", status="cancelled")
    await add_event("Jazz tomorrow", starts_at=future(days=1))
    alice = user()
    await alice.send("jazz")
    assert found(alice) == ["Jazz tomorrow"]


async def test_nothing_found_is_polite_escaped_and_leads_back_to_all_events(user, add_event):
    await add_event("Jazz Night")
    alice = user()
    await alice.send("<b>opera</b> & ballet")
    text = alice.screen()
    assert "Nothing found for «&lt;b&gt;opera&lt;/b&gt; &amp; ballet»" in text and "<b>opera" not in text
    await press(alice, "🎟 All events")
    assert "Upcoming events" in alice.screen()


async def test_results_page_with_the_stored_query_and_back_from_a_card(db, api, user, add_event):
    for day in range(1, 8):
        await add_event(f"Jazz {day}", starts_at=future(days=day), description="Music.")
    await add_event("Opera", description="Arias.")
    alice, bob = user(), user(2002, "Bob")

    await alice.send("/search jazz")
    first = alice.last()["message_id"]
    assert "Found for «jazz»</b>: 7 (page 1 of 2)" in alice.screen()
    await bob.send("opera")  # another user's search is theirs alone
    await press(alice, "▶")
    assert found(alice) == ["Jazz 6", "Jazz 7"]
    await alice.tap("Jazz 7")
    assert "<b>Jazz 7</b>" in alice.screen()
    await press(alice, "◀ Back")
    assert "page 2 of 2" in alice.screen() and found(alice) == ["Jazz 6", "Jazz 7"]
    await press(alice, "◀")
    assert found(alice) == [f"Jazz {d}" for d in range(1, 6)]
    assert alice.last()["message_id"] == first and len(api.chat(alice.id)) == 1, "paging edits the results"
    async with db.read() as session:
        kept = dict((await session.execute(select(LastSearch.user_id, LastSearch.query))).all())
    assert kept == {alice.id: "jazz", bob.id: "opera"}


async def test_search_without_words_asks_what_to_look_for(user):
    alice = user()
    await alice.send("/search")
    assert "What are you looking for?" in alice.screen()
    await alice.tap(data="sr:page:0")  # no search yet: the same question
    assert "What are you looking for?" in alice.screen()


async def test_an_admins_wizard_answer_is_an_answer_not_a_search(db, user, add_event):
    await add_event("Jazz Night")
    admin = user(ADMIN_ID, "Olga")
    await admin.send("/addevent")
    await admin.send("Jazz Night")
    assert "Describe the event" in admin.screen() and "Found for" not in admin.screen()
    async with db.read() as session:
        draft = (await session.execute(select(EventDraft))).scalar_one()
        assert draft.data["title"] == "Jazz Night"
        assert (await session.execute(select(LastSearch))).first() is None
    await admin.send("/cancel")
    await admin.send("Jazz Night")  # no draft: now it is a search
    assert found(admin) == ["Jazz Night"]
