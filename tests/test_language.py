"""/start, /help, /language, Russian and English, and the text catalogs and button codec behind them."""
from __future__ import annotations

import dataclasses
import string

import pytest

from views import buttons as callbacks
from views import keyboards
from views.texts import CATALOGS, en, ru
from db.events import SeatState
from tests.helpers import assert_telegram_limits, book_seat, keyboard, seats_of, stored_language


async def test_start_greets_by_name_with_the_main_menu(user):
    alice = user(first_name="Alice <3")
    calls = await alice.send("/start")
    assert [c.method for c in calls] == ["sendMessage"]
    assert alice.screen().startswith("Hi, Alice &lt;3!")
    assert [b["text"] for b in alice.buttons()] == ["🎟 Events", "📋 My bookings", "❓ Help", "🌐 Язык / Language"]


async def test_help_command_and_button(user, add_event):
    alice = user()
    await alice.send("/help")
    assert "How it works" in alice.screen() and "up to 4 seats per event" in alice.screen()
    await alice.send("/start")
    menu = alice.last()
    await alice.tap("Help")
    assert "How it works" in alice.screen() and alice.last()["message_id"] == menu["message_id"]


async def test_language_switch_to_russian_is_stored(db, user, add_event):
    await add_event("Jazz Night")
    alice = user()
    await alice.send("/start")
    assert await stored_language(db, alice.id) == "en"
    await alice.send("/language")
    assert "Choose your language" in alice.screen()
    assert [b["text"] for b in alice.buttons()] == ["Русский", "English"]
    calls = await alice.tap("Русский")
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [
        "Готово! Буду говорить с вами по-русски."]
    assert "Готово!" in alice.screen() and alice.has_button("События")
    assert await stored_language(db, alice.id) == "ru"

    await alice.send("/events")
    assert "Ближайшие события" in alice.screen() and "свободно 15" in alice.button("Jazz Night")["text"]
    await alice.tap("Jazz Night")
    assert "свободно 15 из 15" in alice.screen() and alice.has_button("Выбрать место")
    await alice.send("/help")
    assert "Как это работает" in alice.screen()

    # And back.
    await alice.tap("Язык")
    await alice.tap("English")
    assert "I'll speak English" in alice.screen()
    assert await stored_language(db, alice.id) == "en"


async def test_russian_telegram_user_gets_russian_from_the_start(db, user, add_event):
    event = await add_event("Концерт", hall="1x2")
    ivan = user(3003, "Иван", "ru")
    await ivan.send("/start")
    assert ivan.screen().startswith("Привет, Иван!")
    assert await stored_language(db, ivan.id) == "ru"
    await book_seat(ivan, event.id, (await seats_of(db, event.id))["A1"])
    assert "Забронировано!" in ivan.screen() and "Место <b>A1</b>" in ivan.screen()
    await ivan.send("/mybookings")
    assert "Мои брони" in ivan.screen() and ivan.has_button("Отменить A1")


async def test_chosen_language_beats_telegrams(db, user):
    ivan = user(3003, "Иван", "ru")
    await ivan.send("/language")
    await ivan.tap("English")
    await ivan.send("/start")
    assert ivan.screen().startswith("Hi, Иван!")


@pytest.mark.parametrize("code, expected", [("en-US", "Hi,"), ("kk", "Привет,"), ("de", "Hi,")])
async def test_language_from_telegram_code(user, code, expected):
    someone = user(4004, "Sam", code)
    await someone.send("/start")
    assert someone.screen().startswith(expected)


async def test_unknown_command_and_stray_text(user):
    alice = user()
    await alice.send("/nonsense")
    assert "don't know that command" in alice.screen()
    await alice.send("hello?")  # text is a search now
    assert "Nothing found for «hello?»" in alice.screen()
    await alice.send(location={"latitude": 43.24, "longitude": 76.95})
    assert "I answer to buttons and commands" in alice.screen()


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_text_key_in_both_catalogs():
    assert set(en.TEXTS) - set(ru.TEXTS) == set(), "keys missing from ru.py"
    assert set(ru.TEXTS) - set(en.TEXTS) == set(), "keys missing from en.py"
    assert set(CATALOGS) == {"en", "ru"}


def test_catalogs_agree_on_placeholders_and_are_filled():
    for key in en.TEXTS:
        assert placeholders(en.TEXTS[key]) == placeholders(ru.TEXTS[key]), key
        assert en.TEXTS[key].strip() and ru.TEXTS[key].strip(), key
    for catalog in (en.TEXTS, ru.TEXTS):
        assert len(catalog["weekdays"].split(",")) == 7 and len(catalog["months"].split(",")) == 12


def all_data(markup) -> list[str]:
    return [b.callback_data for row in markup.inline_keyboard for b in row if b.callback_data is not None]


def hall_states(rows: int, seats: int, taken_every: int = 3) -> list[SeatState]:
    from db.hall import row_label

    states, n = [], 0
    for r in range(rows):
        for s in range(1, seats + 1):
            n += 1
            states.append(SeatState(n, r, row_label(r), s, f"{row_label(r)}{s}", n % taken_every == 0))
    return states


BIG = 2**31 - 1


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_keyboard_button_parses(lang):
    markups = [
        keyboards.main_menu(lang),
        keyboards.languages(),
        keyboards.events_list(lang, [(BIG, "x" * 200), (1, "short")], 3, 9),
        keyboards.event_card(lang, BIG, 99, True, "https://t.me/bot?start=event_1"),
        keyboards.event_card(lang, 1, 0, False, None),
        keyboards.confirm(lang, BIG, BIG),
        keyboards.after_booking(lang, BIG),
        keyboards.back_to_event(lang, BIG),
        keyboards.my_bookings(lang, [(BIG, "AD40", "t" * 300)], 5, 10),
        keyboards.cancel_ask(lang, BIG, 99),
    ]
    for rows, seats in ((1, 1), (3, 5), (7, 8), (11, 15), (30, 40), (60, 50)):
        states = hall_states(rows, seats)
        row_parts, col_parts, _ = keyboards.hall_parts(states)
        for r in range(row_parts):
            for c in range(col_parts):
                markups.append(keyboards.seat_map(lang, BIG, states, r, c, 99)[0])
    for markup in markups:
        data = all_data(markup)
        assert data
        for item in data:
            assert callbacks.parse(item).pack() == item
        assert_telegram_limits(markup.to_dict())


async def test_every_button_the_bot_sent_parses(db, api, user, add_event):
    event = await add_event("Everything", hall="12x9")
    alice = user()
    await alice.send("/start")
    for label in ("Events", "Everything", "Book a seat", "Rows K–L", "Seats 6–9", "Best available", "Confirm",
                  "My bookings", "Cancel", "No, keep it"):
        await alice.tap(label)
    await alice.send("/language")
    sent = [c for c in api.calls if c.keyboard]
    assert len(sent) >= 10
    for call in sent:
        for row in call.keyboard:
            for button in row:
                if "callback_data" in button:
                    callbacks.parse(button["callback_data"])
    assert all(keyboard(m) for m in api.chat(alice.id))


from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402


def _data(prefix: str, args: list[str]) -> str:
    return ":".join([prefix, *args])


@hsettings(max_examples=400, deadline=None)
@given(st.one_of(
    st.text(max_size=80),
    st.builds(_data, st.sampled_from(sorted(t.prefix for t in callbacks.all_types())),
              st.lists(st.one_of(st.integers(0, 2**54).map(str), st.from_regex(r"\A-?[0-9٠-٩²]{0,20}\Z"),
                                 st.sampled_from(["en", "ru", "title", "concert", "EN", "x" * 17, "a:b", ""])),
                       max_size=4)),
))
def test_parse_never_fails_other_than_stale(data):
    """Any data parses to a button the codec could have made, or is a StaleButton: nothing else."""
    try:
        parsed = callbacks.parse(data)
    except callbacks.StaleButton:
        return
    assert callbacks.parse(parsed.pack()) == parsed
    for field in dataclasses.fields(parsed):
        value = getattr(parsed, field.name)
        if isinstance(value, int):
            assert 0 <= value <= (callbacks.MAX_ROW_ID if field.name.endswith("_id") else callbacks.MAX_INT)
        else:
            assert callbacks.WORD.fullmatch(value)