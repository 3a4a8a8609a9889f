"""Button data as the codec promises it: every kind round-trips, nothing over Telegram's 64 bytes can
be declared or built, and every kind of button the bot can send has a handler."""
from __future__ import annotations

import dataclasses

import pytest

from views import buttons
from views.buttons import ButtonData, StaleButton


def largest(button_type: type[ButtonData]) -> ButtonData:
    values = {}
    for field in dataclasses.fields(button_type):
        if field.type in (bool, "bool"):
            values[field.name] = True
        elif field.type in (int, "int"):
            values[field.name] = buttons.ceiling(button_type, field.name)
        else:
            values[field.name] = "z" * 16
    return button_type(**values)


@pytest.mark.parametrize("button_type", buttons.all_types(), ids=lambda t: t.__name__)
def test_every_kind_round_trips_at_its_largest(button_type):
    button = largest(button_type)
    data = button.pack()
    assert len(data.encode()) <= 64
    assert buttons.parse(data) == button
    assert button_type.parse(data) == button
    assert button_type.matches(data)


def test_a_button_type_that_could_outgrow_64_bytes_is_refused_when_declared():
    with pytest.raises(TypeError, match="64"):
        @dataclasses.dataclass(frozen=True)
        class TooLong(ButtonData, prefix="zz:long"):
            first: str
            second: str
            third: str
            fourth: str
    with pytest.raises(StaleButton):  # and it was never registered
        buttons.parse("zz:long:a:b:c:d")


@pytest.mark.parametrize("make", [
    lambda: buttons.SeatPick(buttons.MAX_ROW_ID + 1, 1),      # no such row can exist
    lambda: buttons.EventsPage(-1),
    lambda: buttons.EventCard(1, buttons.MAX_PAGE + 1),        # its page stays short, to leave room for a filter
    lambda: buttons.EventsPage(0, "all", "all", 1),            # a flag is a bool, not an int
    lambda: buttons.EventsPage(0, "Today"),                    # filters are lowercase words
    lambda: buttons.LanguagePick("EN"),                        # codes are lowercase words
    lambda: buttons.ChangeEventField(1, "title:hall"),         # a separator inside a field
    lambda: buttons.EventCard("12", 0),                        # a string where an ID goes
])
def test_a_value_no_button_can_carry_fails_when_built(make):
    with pytest.raises(ValueError):
        make()


def test_one_type_does_not_parse_another_kind():
    data = buttons.SeatPick(1, 2).pack()
    assert not buttons.ConfirmBooking.matches(data)
    with pytest.raises(StaleButton):
        buttons.ConfirmBooking.parse(data)


def test_every_kind_of_button_has_exactly_one_handler():
    from handlers.registry import TAPS

    assert set(TAPS) == set(buttons.all_types())
    assert len(set(map(id, TAPS.values()))) == len(TAPS)


def test_a_button_from_before_its_filter_fields_still_parses_to_the_defaults():
    assert buttons.parse("ev:list:3") == buttons.EventsPage(3, "all", "all", False)
    assert buttons.parse("ev:card:12:1") == buttons.EventCard(12, 1)
    with pytest.raises(StaleButton):
        buttons.parse("ev:card:12")  # the page has no default


@pytest.mark.parametrize("data", ["ev:list:0:all:all:2", "ev:list:0:all:all:", "ev:list:0:all:all:1:x",
                                  "ev:card:1:100000", "ev:list:0:всё"])
def test_filter_data_that_we_never_send_is_stale(data):
    with pytest.raises(StaleButton):
        buttons.parse(data)


def test_a_filtered_page_and_card_pack_as_short_words():
    assert buttons.EventsPage(2, "weekend", "concert", True).pack() == "ev:list:2:weekend:concert:1"
    card = buttons.EventCard(buttons.MAX_ROW_ID, buttons.MAX_PAGE, "weekend", "theatre", True)
    assert len(card.pack()) <= 64 and buttons.parse(card.pack()) == card
