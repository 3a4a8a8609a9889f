"""Posters uploaded at the wizard's last step: real pictures are cut to size, everything else is refused
with a reason and the question repeats."""
from __future__ import annotations

import io
import struct
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import pytest

from PIL import Image, ImageFile
from sqlalchemy import select

from images import posters
from images.posters import PosterError
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


# --- pictures that are small files and big in memory ----------------------------------------------------------

PNG_COLOUR_TYPES = {"L": (0, 1), "RGB": (2, 3), "LA": (4, 2), "RGBA": (6, 4)}  # mode: (colour type, samples)


@lru_cache(maxsize=4)
def flat_png(width: int, height: int, mode: str = "RGBA", depth: int = 8, sample: int = 0x80) -> bytes:
    """A PNG of one flat colour, written row by row: a few hundred KB on disk whatever its size in memory
    (an 8000x6000 RGBA one is 192 MB decoded), without ever holding the picture here."""
    colour_type, samples = PNG_COLOUR_TYPES[mode]
    row = b"\0" + sample.to_bytes(depth // 8, "big") * samples * width  # filter byte "none", then the pixels

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture
def loads(monkeypatch) -> list[tuple[str, tuple[int, int]]]:
    """Every picture Pillow decodes in this test: (format, size)."""
    seen: list[tuple[str, tuple[int, int]]] = []
    real_load = ImageFile.ImageFile.load

    def spy(self):
        if self.tile:  # still to be decoded (Pillow calls load() again on every access after)
            seen.append((self.format, self.size))
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return seen


async def test_a_png_too_big_to_decode_is_refused_before_decoding(app, api, user, db, loads):
    bomb = flat_png(8000, 6000, "RGBA")  # 48 megapixels, under MAX_PIXELS; 192 MB once decoded
    assert len(bomb) < 1_000_000
    admin = await at_poster_step(user, api)
    await admin.send(**document(api, bomb, "image/png", "poster.png"))
    await refused(admin, db, "too big for me to open: 8000×6000 pixels would take about 192 MB")
    assert "the limit is 100 MB" in admin.screen() and "up to about 25 megapixels" in admin.screen()
    assert loads == []  # refused from its header: not a row of it was decoded
    # Telegram's own photo of the same poster is a JPEG of at most 2560 px: fine.
    await admin.send(**photo_message(api, big_phone_jpeg(), 6000, 4000))
    assert admin.last()["photo"] and (await stored_poster(db)).height == 1280


@pytest.mark.parametrize("width, height, mode, depth, reason", [
    (6000, 5000, "RGBA", 16, "too_big_to_open"),  # Pillow keeps 16-bit colour as 8-bit RGBA: 4 bytes a pixel
    (5800, 5000, "RGB", 8, "too_big_to_open"),    # and RGB 4 bytes wide too, not 3
    (7200, 7200, "L", 16, "too_many_pixels"),     # 2 bytes a pixel, but over MAX_PIXELS anyway
])
def test_what_counts_is_the_memory_pillow_will_use(width, height, mode, depth, reason, loads):
    with pytest.raises(PosterError) as caught:
        posters.process(flat_png(width, height, mode, depth))
    assert caught.value.reason == reason
    assert loads == []


def test_a_phone_photo_and_a_big_picture_under_the_budget_are_accepted(loads):
    assert posters.process(big_phone_jpeg()).height == 1280  # 24 megapixels, decoded at 1/4 scale
    grey = posters.process(flat_png(6900, 6900, "L", depth=16, sample=0x8080))  # 47.6 MP, 95 MB decoded
    assert (grey.width, grey.height) == (1280, 1280)
    assert loads == [("JPEG", (1500, 1000)), ("PNG", (6900, 6900))]


def test_a_progressive_jpeg_is_counted_by_its_full_size_coefficients():
    """draft() scales the output, not the progressive decoder's coefficient buffers: 2 bytes a sample."""
    image = Image.new("RGB", (6000, 4000), (180, 40, 40))
    for subsampling, accepted in ((2, True), (0, False)):  # 4:2:0: 1.5 samples a pixel, 72 MB; 4:4:4: 144 MB
        out = io.BytesIO()
        image.save(out, "JPEG", quality=90, progressive=True, subsampling=subsampling)
        if accepted:
            assert posters.process(out.getvalue()).width == 1280
        else:
            with pytest.raises(PosterError) as caught:
                posters.process(out.getvalue())
            assert caught.value.reason == "too_big_to_open" and caught.value.details["needed_mb"] == 150


def test_transparency_goes_onto_white_and_16_bit_tones_survive():
    half = Image.new("RGBA", (5200, 2600), (0, 0, 0, 0))  # shrunk 4x, strip by strip
    half.paste((20, 20, 200, 255), (2600, 0, 5200, 2600))
    out = io.BytesIO()
    half.save(out, "PNG")
    card = Image.open(io.BytesIO(posters.process(out.getvalue()).card_jpeg))
    assert card.size == (1280, 640)
    assert min(card.getpixel((300, 320))) >= 250  # the transparent half is white, not black
    assert card.getpixel((1000, 320))[2] > 180 and card.getpixel((1000, 320))[0] < 50
    grey = Image.open(io.BytesIO(posters.process(flat_png(800, 600, "L", depth=16, sample=0x8080)).card_jpeg))
    assert all(abs(v - 128) <= 2 for v in grey.getpixel((400, 300)))  # not clipped to white


def test_at_most_max_decodes_posters_are_decoded_at_once(monkeypatch):
    inside, most, lock, go_on = 0, 0, threading.Lock(), threading.Event()
    real_load = ImageFile.ImageFile.load

    def slow_load(self):
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        go_on.wait(10)
        try:
            return real_load(self)
        finally:
            with lock:
                inside -= 1

    monkeypatch.setattr(ImageFile.ImageFile, "load", slow_load)
    uploads = [png((900 + i, 600)) for i in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = [pool.submit(posters.process, data) for data in uploads]
        deadline = time.monotonic() + 10
        while most < posters.MAX_DECODES and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # room for any further upload to get in, if it could
        assert most == posters.MAX_DECODES
        go_on.set()
        assert sorted(r.result().width for r in results) == [900 + i for i in range(6)]
    assert most == posters.MAX_DECODES
