"""Posters uploaded at the wizard's last step: real pictures are cut to size, everything else is refused
with a reason and the question repeats."""
from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image
from sqlalchemy import select

from images import posters
from db.models import EventDraft, Poster
from tests.conftest import ADMIN_ID
from tests.test_admin_wizard import count, local_date, photo_message


@lru_cache(maxsize=1)
def big_phone_jpeg() -> bytes:
    """A 24-megapixel photo taken with the phone on its side (EXIF orientation 6: rotate to portrait)."""
    image = Image.new("RGB", (6000, 4000), (180, 40, 40))
    image.paste((20, 20, 200), (0, 0, 3000, 4000))  # left half blue, so a wrong rotation shows
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


def png(size=(900, 600), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 200, 10, 128) if mode == "RGBA" else 0).save(out, "PNG")
    return out.getvalue()


def document(api, data: bytes, mime: str, name: str, size: int | None = None) -> dict:
    file = api.add_file(data)
    if size is not None:
        file["file_size"] = size
    return {"document": {**file, "file_name": name, "mime_type": mime}}


async def at_poster_step(user, api):
    admin = user(ADMIN_ID, "Olga")
    await admin.send("/addevent")
    for text in ("Jazz Night", "Live jazz."):
        await admin.send(text)
    await admin.tap("Concert")
    for text in (local_date(9), "Rhapsody", "Abay Ave 43", "3x5", "5000"):
        await admin.send(text)
    assert "Step 9 of 9" in admin.screen()
    return admin


async def stored_poster(db) -> Poster:
    async with db.read() as session:
        return (await session.execute(select(Poster))).scalar_one()


def test_large_jpeg_is_decoded_small_and_turned_upright(monkeypatch):
    from PIL import JpegImagePlugin

    decoded_at = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = real_draft(self, mode, size)
        decoded_at.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    result = posters.process(big_phone_jpeg())
    # The decoder scaled by 1/4 while reading: 1.5 MP, not a 72 MB full decode of 24 (the time this
    # saves is measured by the benchmark, bench/run.py part 4).
    assert decoded_at[0] == (1500, 1000)
    assert (result.width, result.height) == (853, 1280)  # portrait after EXIF, card size
    assert max(Image.open(io.BytesIO(result.thumb_jpeg)).size) == posters.THUMB_SIDE
    card = Image.open(io.BytesIO(result.card_jpeg)).convert("RGB")
    assert card.getpixel((400, 50))[2] > 150  # the blue half is on top once turned upright


async def test_large_jpeg_sent_as_a_file_becomes_the_poster(app, api, user, db):
    admin = await at_poster_step(user, api)
    await admin.send(**document(api, big_phone_jpeg(), "image/jpeg", "IMG_0001.JPG"))
    assert admin.last()["photo"] and "Jazz Night" in admin.screen()  # the preview
    poster = await stored_poster(db)
    assert (poster.width, poster.height) == (853, 1280) and poster.telegram_file_id


async def test_large_jpeg_sent_as_a_photo(app, api, user, db):
    admin = await at_poster_step(user, api)
    await admin.send(**photo_message(api, big_phone_jpeg(), 6000, 4000))
    assert admin.last()["photo"]
    assert (await stored_poster(db)).height == 1280


async def test_png_with_transparency(app, api, user, db):
    admin = await at_poster_step(user, api)
    await admin.send(**document(api, png(), "image/png", "poster.png"))
    assert admin.last()["photo"]
    poster = await stored_poster(db)
    assert (poster.width, poster.height) == (900, 600)
    assert Image.open(io.BytesIO(poster.card_jpeg)).format == "JPEG"


async def refused(admin, db, expected: str) -> None:
    assert expected in admin.screen(), admin.screen()
    assert "Step 9 of 9" in admin.screen()
    assert await count(db, Poster) == 0
    async with db.read() as session:
        assert (await session.execute(select(EventDraft.step))).scalar_one() == "poster"


async def test_truncated_jpeg_is_refused(app, api, user, db):
    admin = await at_poster_step(user, api)
    whole = big_phone_jpeg()
    await admin.send(**document(api, whole[: len(whole) // 2], "image/jpeg", "cut.jpg"))
    await refused(admin, db, "isn't a picture I can read")


async def test_a_document_that_is_not_an_image(app, api, user, db):
    admin = await at_poster_step(user, api)
    await admin.send(**document(api, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj <<>> endobj", "application/pdf", "plan.pdf"))
    await refused(admin, db, "isn't a picture I can read")
    # Claiming to be an image does not help: Pillow looks at the bytes.
    await admin.send(**document(api, b"GIF89a but not really", "image/gif", "fake.gif"))
    await refused(admin, db, "isn't a picture I can read")


async def test_oversized_file_is_refused_before_downloading(app, api, user, db):
    admin = await at_poster_step(user, api)
    calls = await admin.send(**document(api, b"\xff\xd8 not downloaded", "image/jpeg", "huge.jpg",
                                        size=25 * 1024 * 1024))
    assert not any(c.method == "getFile" for c in calls)
    await refused(admin, db, "over 20 MB")


async def test_too_many_pixels_is_refused(app, api, user, db):
    admin = await at_poster_step(user, api)
    await admin.send(**document(api, png((10000, 6000), "L"), "image/png", "bomb.png"))  # 60 MP, a tiny file
    await refused(admin, db, "too large in pixels")
    await admin.send(**document(api, png((150, 100), "L"), "image/png", "icon.png"))
    await refused(admin, db, "too small")
    # After all that, a good picture still goes through.
    await admin.send(**document(api, png(), "image/png", "poster.png"))
    assert admin.last()["photo"]


def padded_png() -> bytes:
    """A real picture with junk after its end, one byte over the limit: Pillow would read it happily."""
    picture = png()
    return picture + b"\0" * (posters.MAX_UPLOAD_BYTES + 1 - len(picture))


async def test_oversized_file_without_a_declared_size_is_refused_by_its_real_size(app, api, user, db):
    admin = await at_poster_step(user, api)
    message = document(api, padded_png(), "image/png", "poster.png")
    del message["document"]["file_size"]  # Telegram's file_size is optional
    await admin.send(**message)
    await refused(admin, db, "over 20 MB")


async def test_oversized_photo_whose_declared_size_lies_is_refused_by_its_real_size(app, api, user, db):
    admin = await at_poster_step(user, api)
    message = photo_message(api, padded_png(), 900, 600)
    message["photo"][0]["file_size"] = 50_000
    await admin.send(**message)
    await refused(admin, db, "over 20 MB")
