"""The wizard's checks on their own, without a bot: dates, prices, halls, and the draft's order."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from db import drafts
from db.models import EventDraft

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)  # 11:00 in Almaty (UTC+5)


@pytest.mark.parametrize("text", [
    "25.12.2026 19:00", "2026-12-25 19:00", "25.12.26 19:00", "25/12/2026 19:00", "2026-12-25T19:00",
    "25.12.2026, 19:00", "  25.12.2026   19:00 ", "19:00 25.12.2026", "25.12.2026 19.00", "2026-12-25 19:00:00",
])
def test_common_date_forms_are_read_in_the_configured_zone(text):
    assert drafts.parse_when(text, "Asia/Almaty", NOW) == datetime(2026, 12, 25, 14, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, reason", [
    ("tomorrow", "format"), ("32.12.2026 19:00", "format"), ("25.12.2026", "format"), ("25.12.2026 25:00", "format"),
    ("28.11.2026 10:59", "past"), ("01.01.2031 19:00", "too far"),
])
def test_bad_dates(text, reason):
    with pytest.raises(drafts.Invalid) as caught:
        drafts.parse_when(text, "Asia/Almaty", NOW)
    assert caught.value.reason == reason


@pytest.mark.parametrize("text, expected", [
    ("0", (0, "KZT")), ("5000", (500000, "KZT")), ("5 000 KZT", (500000, "KZT")), ("5000₸", (500000, "KZT")),
    ("12.50 USD", (1250, "USD")), ("12,5 eur", (1250, "EUR")), ("300 руб", (30000, "RUB")),
])
def test_prices(text, expected):
    assert drafts.parse_price(text) == expected


@pytest.mark.parametrize("text", ["free", "-5", "1.234 USD", "10 GBP", "", "1e9"])
def test_bad_prices(text):
    with pytest.raises(drafts.Invalid):
        drafts.parse_price(text)


def test_a_shared_place_answers_the_address_too_and_the_wizard_skips_it():
    draft = EventDraft(admin_id=1, kind=drafts.NEW, step="venue", data={}, reviewing=False)
    values = drafts.read_answer("venue", drafts.Venue("Dom Kino", "Dostyk Ave 82", 43.2, 76.9), tz="Asia/Almaty")
    assert values == {"venue_name": "Dom Kino", "venue_address": "Dostyk Ave 82"}
    draft.data = values
    assert drafts._next_step(draft, "venue") == "hall"


def test_hall_is_checked_and_kept_in_its_shortest_form():
    assert drafts.read_answer("hall", "10 x 12", tz="UTC") == {"hall": "10x12"}
    assert drafts.read_answer("hall", "a:3 b:4", tz="UTC") == {"hall": "A:3 B:4"}
    with pytest.raises(drafts.Invalid):
        drafts.read_answer("hall", "61x10", tz="UTC")
