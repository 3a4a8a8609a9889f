"""An organiser cancels an event while its fans are still tapping Confirm.

Whatever order the database settles them in, a booking either lands before the cancellation (and
is cancelled with the event, its holder told once) or after it (and is refused): no seat of a
cancelled event stays booked, and nobody who held one is left untold. On PostgreSQL this rests on
book() holding the event row (FOR SHARE) while it books; SQLite writers queue one at a time, so
there it checks the same promise with no overlap to get wrong.
"""
from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot import outbox as outbox_worker
from db.models import Booking, Event
from tests.conftest import ADMIN_ID
from tests.driver import User
from tests.helpers import ACTIVE, hall
from tests.test_admin_manage import book, open_card

FANS = 90          # each taps Confirm on a seat of their own, all at once
EARLY = (801, 802, 803)  # attendees who booked well before the evening


async def _fans_on_their_confirm_screens(app, api, title: str) -> list[tuple[User, str]]:
    """(fan, the Confirm button's data) for each fan, looking at the confirmation of their own seat."""
    scout = User(app, api, 700, "Scout")
    await scout.send("/events")
    await scout.tap(title)
    await scout.tap("Book a seat")
    free: dict[str, str] = {}
    parts, seen = [None], set()
    while parts:  # the seat map comes in parts: visit each (by its arrows) and collect its free seats
        data = parts.pop()
        if data is not None:
            await scout.tap(data=data)
        seen.add(data)
        free.update(hall(scout.last())[0])
        arrows = [b["callback_data"] for b in scout.buttons() if b["text"].startswith(("▲", "▼", "◀ Seats"))
                  or b["text"].endswith("▶")]
        parts += [data for data in arrows if data not in seen | set(parts)]
    picks = sorted(free.values())[:FANS]
    assert len(picks) == FANS, f"only {len(picks)} free seats shown"

    fans = []
    for n, pick in enumerate(picks):
        fan = User(app, api, 10_000 + n, f"Fan{n}")
        await fan.send("/start")
        await fan.tap(data=pick)
        fans.append((fan, fan.button("Confirm")["callback_data"]))
    return fans


async def _cancel_while_fans_confirm(app, api, db, event: Event) -> None:
    for n, uid in enumerate(EARLY, start=1):
        await book(db, uid, event.id, [f"J{n}"], name=f"Early{n}")
    fans = await _fans_on_their_confirm_screens(app, api, event.title)
    admin = User(app, api, ADMIN_ID, "Olga")
    await open_card(admin, event.title)
    await admin.tap("Cancel event")
    yes = admin.button("Yes, cancel the event")["callback_data"]
    reports_before = len(api.sent("sendMessage", ADMIN_ID))

    # The organiser's tap arrives in the middle of the fans' taps, all handled concurrently.
    taps = [fan.tap_update(data) for fan, data in fans]
    taps.insert(FANS // 3, admin.tap_update(yes))
    await asyncio.gather(*(app.update_processor.process_update(u, app.process_update(u)) for u in taps))
    await outbox_worker.drain_all(app)

    async with db.read() as session:
        status = (await session.get(Event, event.id)).status
        rows = (await session.execute(
            select(Booking.user_id, Booking.status).where(Booking.event_id == event.id))).all()
    assert status == "cancelled"
    assert [r for r in rows if r.status in ACTIVE] == [], "a seat of the cancelled event is still booked"

    holders = {r.user_id for r in rows}  # everyone whose booking the cancellation undid
    assert set(EARLY) <= holders
    for uid in holders | {fan.id for fan, _ in fans}:
        told = [c for c in api.sent("sendMessage", uid)
                if event.title in c.text and "has been cancelled by the organiser" in c.text]
        assert len(told) == (1 if uid in holders else 0), (uid, uid in holders, len(told))
    # Whoever was shown "Booked!" holds a booking the cancellation undid, and so was told.
    shown_booked = {fan.id for fan, _ in fans if "Booked" in fan.screen()}
    assert shown_booked <= holders
    # The organiser's count covers exactly those people.
    reports = [c.text for c in api.sent("sendMessage", ADMIN_ID)[reports_before:] if "Delivered" in c.text]
    assert reports == [f"📬 Delivered: {len(holders)} of {len(holders)}."]


async def test_cancelling_an_event_while_fans_confirm_leaves_no_booking_and_tells_each_holder_once(
        app, api, db, add_event, monkeypatch):
    monkeypatch.setattr(outbox_worker, "SEND_RATE", 10_000)
    # Which taps overlap the cancellation is up to the scheduler: two evenings, two chances to catch
    # a booking slipping past it.
    for title in ("Jazz Night", "Open Mic"):
        await _cancel_while_fans_confirm(app, api, db, await add_event(title, hall="10x10"))
