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
        if field.type in (int, "int"):
            values[field.name] = buttons.MAX_ROW_ID if field.name.endswith("_id") else buttons.MAX_INT
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
