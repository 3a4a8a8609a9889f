"""`eventbot demo`: a handful of realistic events with posters drawn by Pillow."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select

from db.events import create_event, new_poster
from db.hall import grid, parse_hall
from db.models import Event
from images.posters import process
from db.session import Database

DEMO_TAG = "demo"

# (days ahead, local time, title, category, venue, address, hall, price in tenge, colours, description)
EVENTS = [
    (3, "19:00", "Jazz Night: Almaty Quartet", "concert", "Jazz Club Rhapsody", "Abay Ave 43, Almaty",
     "8x12", 5000, ((20, 30, 80), (200, 120, 40)),
     "An evening of standards and new pieces by the Almaty Quartet: saxophone, piano, double bass "
     "and drums. Doors open 30 minutes before the start; drinks at the bar."),
    (5, "20:00", "Stand-up: Open Mic", "comedy", "Dom Kino", "Dostyk Ave 82, Almaty",
     "A:6 B:7 C:7 D:7", 0, ((90, 10, 40), (250, 200, 60)),
     "Ten comedians, five minutes each, new material only. Free entry, but a seat must be booked."),
    (8, "18:30", "Abai: the Opera", "theatre", "Abai Opera House", "Kabanbay Batyr St 110, Almaty",
     "30x40", 12000, ((60, 0, 0), (220, 180, 120)),
     "The classic opera by Akhmet Zhubanov and Latif Khamidi, staged by the national company. "
     "Performed in Kazakh with Russian and English surtitles. Running time 3 hours with one interval."),
    (12, "11:00", "Python Meetup Almaty", "tech", "Astana Hub Almaty", "Al-Farabi Ave 17, Almaty",
     "5x7", 0, ((10, 60, 60), (80, 220, 160)),
     "Talks on async Python, typing and databases, then pizza. Bring a laptop if you want to join "
     "the workshop."),
    (15, "19:30", "Cinema Under the Stars: Casablanca", "cinema", "Kok-Tobe Terrace", "Kok-Tobe Hill, Almaty",
     "6x10", 3500, ((15, 15, 40), (120, 120, 200)),
     "The 1942 classic on a big screen in the open air. Blankets provided; the film is in English "
     "with Russian subtitles."),
    (20, "16:00", "Children's Puppet Theatre: The Golden Fish", "kids", "State Puppet Theatre",
     "Zheltoksan St 137, Almaty", "6x8", 2000, ((40, 100, 30), (250, 230, 90)),
     "A puppet show for children aged 3 to 8. It lasts 50 minutes, without an interval."),
]


def draw_poster(title: str, category: str, colours: tuple, when: str) -> bytes:
    """A 1200x1600 poster: a gradient, the category, the title in large type and the date."""
    width, height = 1200, 1600
    top, bottom = colours
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        k = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * k) for a, b in zip(top, bottom)))
    for i in range(12):  # a few soft circles, so the card has something to look at
        r = 60 + i * 25
        x, y = (i * 197) % width, 300 + (i * 131) % 900
        draw.ellipse([x - r, y - r, x + r, y + r], outline=(255, 255, 255, 40), width=3)
    big, small = ImageFont.load_default(size=96), ImageFont.load_default(size=48)
    draw.text((80, 120), category.upper(), font=small, fill=(255, 255, 255))
    lines, line = [], ""
    for word in title.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=big) > width - 160 and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    y = 700
    for text in lines:
        draw.text((80, y), text, font=big, fill=(255, 255, 255))
        y += 120
    draw.text((80, height - 200), when, font=small, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


async def load_demo(database_url: str, tz: str, now: datetime | None = None) -> int:
    """Add the demo events unless they are there already; returns how many were added."""
    db = Database(database_url)
    now = now or datetime.now(timezone.utc)
    zone = ZoneInfo(tz)
    added = 0
    try:
        async with db.write() as session:
            existing = (await session.execute(
                select(func.count(Event.id)).where(Event.created_by.is_(None), Event.category.in_(
                    [e[3] for e in EVENTS]), Event.starts_at > now)
            )).scalar_one()
            if existing:
                return 0
            for days, hhmm, title, category, venue, address, hall, price, colours, text in EVENTS:
                day = (now.astimezone(zone) + timedelta(days=days)).date()
                hour, minute = map(int, hhmm.split(":"))
                starts = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                poster = process(draw_poster(title, category, colours, starts.strftime("%d.%m.%Y %H:%M")))
                rows = grid(*map(int, hall.split("x"))) if "x" in hall else parse_hall(hall)
                await create_event(
                    session, title=title, description=text, category=category, venue_name=venue,
                    venue_address=address, starts_at=starts.astimezone(timezone.utc), timezone=tz,
                    price_minor=price * 100, currency="KZT", hall=rows, poster=new_poster(poster),
                )
                added += 1
    finally:
        await db.dispose()
    return added
